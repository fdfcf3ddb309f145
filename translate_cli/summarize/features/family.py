"""A family of features: functions registered under the names of the features they compute."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from translate_cli.summarize.features.article import Article

__all__ = ["Family", "Feature", "Group", "flag"]

Feature = Callable[[Article, int], float]
Group = Callable[[Article, int], Sequence[float]]


class Family:
    """Related features, in the order they are registered.

    A function computes one feature for candidate i (``@family.feature("name")``) or a group
    of them (``@family.features("a", "b")``, values in that order); names are given here only.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.groups: list[tuple[tuple[str, ...], Group]] = []

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for names, _ in self.groups for name in names)

    def features(self, *names: str) -> Callable[[Group], Group]:
        """Register a function computing the features ``names`` (in that order)."""

        def register(function: Group) -> Group:
            if set(self.names) & set(names) or len(set(names)) != len(names):
                raise ValueError(f"feature registered twice: {names}")
            self.groups.append((names, function))
            return function

        return register

    def feature(self, name: str) -> Callable[[Feature], Feature]:
        """Register a function computing the feature ``name``."""

        def register(function: Feature) -> Feature:
            self.features(name)(lambda article, i: (function(article, i),))
            return function

        return register


def flag(condition: object) -> float:
    return 1.0 if condition else 0.0
