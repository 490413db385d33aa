"""Structured problems with user input.

Every validator in this package reports what is wrong as :class:`Problem` values (the field,
the offending value and a reason that says how to fix it) instead of raising bare exceptions.
Callers that must stop raise :class:`InputError`, which carries the whole list so that a user
sees every mistake at once, one line each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    ``field`` names the input (a policy key, a config key such as ``mta-sts:policy.max_age``,
    a record field); ``value`` is what was given (``None`` when it was missing); ``reason``
    is a sentence that describes the problem and, where there is one, the fix.
    """

    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def under(self, prefix: str) -> Problem:
        """The same problem with ``field`` placed under ``prefix`` (``prefix.field``)."""
        sep = "" if not self.field or self.field.startswith("[") else "."
        return Problem(f"{prefix}{sep}{self.field}" if self.field else prefix, self.value, self.reason)

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "value": self.value, "reason": self.reason}


class InputError(ValueError):
    """Raised when user input is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


#: The optional dependency groups (``pip install 'pulumi-mta-sts[<extra>]'``) that bring each module.
EXTRAS_OF_MODULE: dict[str, tuple[str, ...]] = {
    "pulumi": ("aws", "cloudflare"),
    "pulumi_aws": ("aws",),
    "boto3": ("aws",),
    "botocore": ("aws",),
    "pulumi_cloudflare": ("cloudflare",),
}


class MissingExtraError(ImportError):
    """Raised when a component needs a dependency of an extra that is not installed. The base
    install (the CLI's ``render``, ``check``, ``reports`` and the pure core) stays small; the
    Pulumi components need ``[aws]`` and/or ``[cloudflare]``.

    Components import their provider SDK inside :func:`provider_sdk`; the CLI and the lazy
    public API turn what escapes with :meth:`from_import_error`.
    """

    @classmethod
    def for_module(cls, exc: ModuleNotFoundError, needed_by: str) -> MissingExtraError:
        missing = (exc.name or "").split(".")[0]
        extras = EXTRAS_OF_MODULE.get(missing, ("all",))
        commands = " or ".join(f"pip install 'pulumi-mta-sts[{extra}]'" for extra in extras)
        return cls(
            f"{needed_by} needs the Python package {missing!r}, which is not installed; install it with "
            f"{commands} (from a checkout: pip install -e '.[{extras[0]}]')",
            name=missing,
        )

    @classmethod
    def from_import_error(cls, exc: ImportError, needed_by: str) -> MissingExtraError | None:
        """``exc`` as the extra to install, or ``None`` when it is not about an extra: a missing
        module of ours or a broken install is a bug to show as it is, not a usage error."""
        if isinstance(exc, MissingExtraError):
            return exc
        if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in EXTRAS_OF_MODULE:
            return cls.for_module(exc, needed_by)
        return None


@contextmanager
def provider_sdk(needed_by: str) -> Iterator[None]:
    """Import a provider SDK inside the block; when it belongs to an extra that is not installed,
    raise :class:`MissingExtraError` naming the extra instead of a traceback::

        with provider_sdk("Route53Dns"):
            import pulumi_aws as aws
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = MissingExtraError.from_import_error(exc, needed_by)
        if missing is None:
            raise
        raise missing from None
