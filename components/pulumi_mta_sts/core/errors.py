"""Problems with user input: :class:`InputError` carries every :class:`Problem` found, so a user sees
every mistake at once, one line each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input (``value`` ``None``: missing); ``reason`` says the fix."""

    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def under(self, prefix: str) -> Problem:
        sep = "" if not self.field or self.field.startswith("[") else "."
        return Problem(f"{prefix}{sep}{self.field}" if self.field else prefix, self.value, self.reason)


class InputError(ValueError):
    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


#: The extras (``pip install 'pulumi-mta-sts[<extra>]'``) that bring each module.
EXTRAS_OF_MODULE: dict[str, tuple[str, ...]] = {
    "pulumi": ("aws", "cloudflare"),
    "pulumi_aws": ("aws",),
    "boto3": ("aws",),
    "botocore": ("aws",),
    "pulumi_cloudflare": ("cloudflare",),
    "cryptography": ("dane",),
}


class MissingExtraError(ImportError):
    """A component needs a dependency of an extra that is not installed (the base install stays small)."""

    @classmethod
    def from_import_error(cls, exc: ImportError, needed_by: str) -> MissingExtraError | None:
        """``exc`` as the extra to install, or ``None``: a missing module of ours is a bug, shown as it is."""
        if isinstance(exc, MissingExtraError):
            return exc
        missing = (exc.name or "").split(".")[0]
        if not isinstance(exc, ModuleNotFoundError) or missing not in EXTRAS_OF_MODULE:
            return None
        extras = EXTRAS_OF_MODULE[missing]
        commands = " or ".join(f"pip install 'pulumi-mta-sts[{extra}]'" for extra in extras)
        return cls(
            f"{needed_by} needs the Python package {missing!r}, which is not installed; install it with "
            f"{commands} (from a checkout: pip install -e '.[{extras[0]}]')",
            name=missing,
        )


@contextmanager
def provider_sdk(needed_by: str) -> Iterator[None]:
    """``with provider_sdk("Route53Dns"): import pulumi_aws`` names the missing extra, not a traceback."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = MissingExtraError.from_import_error(exc, needed_by)
        if missing is None:
            raise
        raise missing from None
