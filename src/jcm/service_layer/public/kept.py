"""Answers of the public views, kept until what they were read from changes.

Public pages are read far more often than the registry changes, and every change is a log
entry. So a view's answer is kept with the watermark it was read at (the log's size, the
last event and a signature of the funded portfolio: ``DashboardQueries.watermark``, three
small reads) and served again while the watermark stands; the first read after a change
computes it afresh, in the same read transaction as the watermark, so the two agree.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from jcm.service_layer.public.dashboard_ports import Watermark
from jcm.service_layer.public.ports import PublicUnitOfWork, PublicUnitOfWorkFactory

V = TypeVar("V")
DEFAULT_LIMIT = 512  # answers kept per view object; the least recently used goes first


class Kept:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._answers: OrderedDict[Hashable, tuple[Watermark, object]] = OrderedDict()
        self._limit = limit
        self._lock = Lock()

    def answer(
        self,
        uow: PublicUnitOfWorkFactory,
        key: Hashable,
        compute: Callable[[PublicUnitOfWork], V],
    ) -> V:
        """``compute``'s answer for ``key``, kept until the watermark moves."""
        with uow(read_only=True) as unit:
            mark = unit.public.dashboard.watermark()
            with self._lock:
                found = self._answers.get(key)
                if found is not None and found[0] == mark:
                    self._answers.move_to_end(key)
                    return found[1]  # type: ignore[return-value]
            value = compute(unit)
        with self._lock:
            self._answers[key] = (mark, value)
            self._answers.move_to_end(key)
            while len(self._answers) > self._limit:
                self._answers.popitem(last=False)
        return value
