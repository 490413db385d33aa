"""The stack program (:func:`.pipeline.main`): its steps, its layouts, its optional parts, its options."""
