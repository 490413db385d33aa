"""The argument parser of every ``mta-sts`` command: a mistyped flag, sub-command or choice names the
closest valid one instead of what it caused (``--stak``, not a missing ``--stack``).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

_ALIKE = 0.6
#: What argparse reads as a negative number rather than a flag.
_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")
#: argparse's messages that only follow from an unknown flag: dropped when that flag is reported.
_CONSEQUENCES = ("the following arguments are required", "one of the arguments", "unrecognized arguments")


def closest(word: str, candidates: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=_ALIKE)
    return found[0] if found else None


class CommandParser(argparse.ArgumentParser):
    _given: list[str]

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """What this parser cannot place is its error (with its usage line), not its parent's."""
        self._given = list(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error("unrecognized arguments: " + " ".join(extras))
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        """Each unknown flag with the closest valid one, then argparse's message unless it follows from one."""
        unknown = self._unknown_flags()
        lines = [self._unknown_line(flag) for flag in unknown]
        if not (unknown and message.startswith(_CONSEQUENCES)):
            lines.append(message)
        self.print_usage(sys.stderr)
        for line in lines:
            sys.stderr.write(f"{self.prog}: error: {line}\n")
        sys.exit(2)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            choices = [str(choice) for choice in action.choices]
            hint = closest(str(value), choices)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise argparse.ArgumentError(
                action, f"invalid choice: {value!r}{did_you_mean} (choose from {', '.join(choices)})"
            )
        super()._check_value(action, value)

    def _unknown_flags(self) -> list[str]:
        """With sub-commands: up to the sub-command."""
        stops_at_command = any(isinstance(action, argparse._SubParsersAction) for action in self._actions)
        unknown: list[str] = []
        for token in getattr(self, "_given", []):
            if token == "--":
                break
            if not token.startswith("-") or token == "-" or _NUMBER.match(token):
                if stops_at_command:
                    break
                continue
            name = token.split("=", 1)[0]
            if not self._knows(name) and name not in unknown:
                unknown.append(name)
        return unknown

    def _knows(self, name: str) -> bool:
        """Exactly, abbreviated, or with its value attached."""
        flags = self._option_string_actions
        if name in flags:
            return True
        if name.startswith("--"):
            return self.allow_abbrev and any(flag.startswith(name) for flag in flags if flag.startswith("--"))
        return len(name) > 2 and name[:2] in flags

    def _unknown_line(self, flag: str) -> str:
        hint = closest(flag, [f for f in self._option_string_actions if f.startswith("--")])
        if hint is not None:
            return f"unrecognized argument {flag}; did you mean {hint}?"
        return f"unrecognized argument {flag} (see {self.prog} --help)"
