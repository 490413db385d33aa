"""One escaping module per output format, for everything a stranger wrote: data, never markup or
terminal control. Standard library only: the receiver's Lambda ships it.
"""
