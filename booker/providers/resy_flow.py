"""Resy's sequence of calls: warm with /2/user, poll /4/find, then details and book."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from booker.core.decide import Kind, Step, Verdict, next_booking_step
from booker.core.exceptions import ParseError
from booker.core.model import Booked, Slot
from booker.core.ports import Claim, EventKind, JobIdentity, WorkerIO
from booker.core.wire import NO_ANSWER, Answer, Request
from booker.providers import resy, resy_target, resy_venue
from booker.providers.base import warm_with_retries
from booker.providers.common import is_unsure
from booker.providers.resy import ResyApi, ResyCredentials
from booker.providers.resy_account import AccountApi, read_signed_in
from booker.providers.resy_target import ResyTarget

FIND_FALLBACK_AFTER = 3  # /4/find answers 405/5xx this many times in a row: try the other method
PREFETCH_AFTER_S = 0.003  # the next slot's details wait until this slot's book has left


@dataclass(frozen=True, slots=True)
class ResyJob:
    """Everything a worker needs to run the Resy flow (pickles into workers)."""

    credentials: ResyCredentials
    target: ResyTarget
    allow_multiple: bool = False
    force: bool = False  # book even when the account already holds a reservation for this job
    noun: str = "reservation"
    refresh_token: str = field(default="", repr=False)  # renews a refused token in warm-up

    def flow(self) -> ResyFlow:
        """A fresh flow for one worker."""
        return ResyFlow(self)

    def identity(self) -> JobIdentity:
        """What the journal files this job under: one key for the whole job, whatever its
        venues and days (a job of one venue and one day keeps its key of old)."""
        target = self.target
        venues = ",".join(str(v) for v in sorted(set(target.all_venues)))
        days = ",".join(sorted(set(target.all_days)))
        return JobIdentity(resy.NAME, venues, days, target.party_size)


class ResyFlow:
    """One worker's Resy flow."""

    def __init__(self, job: ResyJob) -> None:
        self.job = job
        self.api = ResyApi(job.credentials, job.target)
        self.payment_method_id = job.target.payment_method_id
        # one /4/find per day and venue, in order of preference: days first, then venues
        self.targets = tuple(
            job.target.at(venue, day)
            for day in job.target.all_days
            for venue in job.target.all_venues
        )
        self._find_method = resy.FIND_METHODS[0]
        self._finds = self._build_finds()
        self._find_refusals = 0  # 405/5xx in a row on the current /4/find method
        self.before: frozenset[str] = frozenset()  # reservation ids held before this run
        self._renewed = False

    async def warm(self, io: WorkerIO) -> bool:
        """/2/user until it answers: proves the credentials and picks the payment method."""
        return await warm_with_retries(io, lambda: self._warm_once(io))

    async def _warm_once(self, io: WorkerIO) -> bool | str:
        answer = await io.send(self.api.user())
        verdict, default_payment = resy.read_user(answer)
        if answer.status in (401, 419) and await self._renew(io):
            answer = await io.send(self.api.user())
            verdict, default_payment = resy.read_user(answer)
        if verdict.kind is Kind.TERMINAL:
            io.terminal(verdict.reason)
            return False
        if verdict.kind is not Kind.EXPECTED:
            return verdict.reason
        if self.payment_method_id is None:
            self.payment_method_id = default_payment
        if self.payment_method_id is None and not io.settings.dry_run:
            io.terminal(resy.NO_PAYMENT)
            return False
        if io.index == 0:
            await self._report_venue(io)
        if not await self._snapshot(io):
            return False
        io.report(EventKind.READY, http_version=answer.http_version, warm_ms=answer.elapsed_s * 1e3)
        return True

    async def _renew(self, io: WorkerIO) -> bool:
        """The token was refused: renew it once with the refresh token (POST /3/auth/refresh).

        The renewed token serves this run only (workers never write the credentials
        store); ``booker login resy`` or the next run's start stores a fresh one.
        """
        if not self.job.refresh_token or self._renewed:
            return False
        self._renewed = True
        api_key = self.job.credentials.api_key
        answer = await io.send(AccountApi(api_key).refresh(self.job.refresh_token))
        try:
            renewed = read_signed_in(answer)
        except ParseError:
            io.report(
                EventKind.WARNING,
                message=f"renewing the refused token failed (HTTP {answer.status})",
            )
            return False
        self.api = ResyApi(ResyCredentials(api_key, renewed.token), self.job.target)
        self._finds = self._build_finds()
        if io.index == 0:
            io.report(
                EventKind.WARNING,
                message="the auth token was refused; renewed it with the refresh token",
            )
        return True

    async def _snapshot(self, io: WorkerIO) -> bool:
        """Remember the reservations held before; any for this job means we are done.

        That is how a run killed between booking and journaling is found again. A run
        killed with several bookings in flight may have left several: one is kept (the
        best wanted time), the others are cancelled, or reported with ``--allow-multiple``.
        """
        listed = await self._reservations(io)
        if listed is None:
            return True  # not fatal: only duplicate sweeping is weaker
        self.before = frozenset(r.reservation_id for r in listed)
        mine = self._mine(listed)
        if mine and not self.job.force and not io.settings.dry_run:
            kept, *extras = mine
            if io.won(_booked(kept), 0, recovered=True) is Claim.WON:
                for extra in extras:
                    await self.cancel_duplicate(
                        io, _booked(extra), keep=self.job.allow_multiple, earlier=True
                    )
            return False
        return True

    def _mine(self, listed: list[resy.Reservation]) -> list[resy.Reservation]:
        """This job's reservations (``resy.is_for``), best first (day, venue, wanted time)."""
        target = self.job.target
        mine = [r for r in listed if resy.is_for(r, target)]
        return sorted(mine, key=lambda r: (resy.reservation_rank(r, target), r.reservation_id))

    async def _reservations(self, io: WorkerIO) -> list[resy.Reservation] | None:
        try:
            return resy.read_reservations(await io.send(self.api.reservations()))
        except ParseError:
            return None

    async def _report_venue(self, io: WorkerIO) -> None:
        answer = await io.send(self.api.venue())
        try:
            venue = resy_venue.read_venue(answer, self.job.target.venue_id)
        except ParseError:
            return
        io.report(EventKind.VENUE, name=venue.name, time_zone=venue.time_zone or "zone not given")

    def probe(self) -> Request:
        """/2/user: cheap, and proves the token is still good."""
        return self.api.user()

    def _build_finds(self) -> tuple[Request, ...]:
        return tuple(
            self.api.find(self._find_method, target.day, target.venue_id) for target in self.targets
        )

    def poll(self) -> Request:
        """The first /4/find request (the first day at the first venue)."""
        return self._finds[0]

    def polls(self) -> tuple[Request, ...]:
        """Every tick's /4/find requests, one per day and venue, built once per method (the
        engine re-prepares them on a switch)."""
        return self._finds

    def read_polls(self, answers: tuple[Answer, ...] | list[Answer]) -> Verdict:
        """One tick's answers (in the order of ``polls``) as one verdict: FOUND carries
        every wanted slot, best first (day, venue, then time and table type)."""
        verdicts = [
            self._read_one(answer, target)
            for answer, target in zip(answers, self.targets, strict=False)
        ]
        return resy.merge_finds(verdicts, self.targets)

    def read_poll(self, answer: Answer) -> Verdict:
        """Classify one /4/find answer (the first day at the first venue)."""
        return self.read_polls((answer,))

    def _read_one(self, answer: Answer, target: ResyTarget) -> Verdict:
        """Classify /4/find: FOUND carries the wanted slots, best first.

        A 405 (this method is not served), or ``FIND_FALLBACK_AFTER`` 5xx in a row
        (the service's answer to a wrong method, but also to a bad moment), and the
        next polls use the other method (POST with JSON, or GET with a query). Each
        worker finds out for itself, so a 405 switches at once: with several workers
        and only a few ticks before the release, waiting for three each costs polls.
        """
        if answer.status == 405:
            self._find_refusals = FIND_FALLBACK_AFTER
        if answer.status >= 500:
            self._find_refusals += 1
        if answer.status == 405 or answer.status >= 500:
            if self._find_refusals >= FIND_FALLBACK_AFTER:
                self._find_refusals = 0
                other = [m for m in resy.FIND_METHODS if m != self._find_method]
                self._find_method = other[0]
                self._finds = self._build_finds()
        elif answer.status != NO_ANSWER:
            self._find_refusals = 0
        return resy.read_find(answer, target)

    async def book(self, io: WorkerIO, verdict: Verdict) -> None:
        """Book in priority order; the next slot's book token is fetched while this one books.

        One details request at a time: each costs the client about as much CPU as
        a round trip on loopback, so a parallel batch would delay the first book.
        Other workers start on other tables of the same time (``deal``).
        """
        slots = deal(verdict.slots, io.index)
        target = self.job.target
        pending: dict[int, asyncio.Task[Verdict]] = {}

        def prefetch(index: int, after_s: float = 0.0) -> None:
            if index < len(slots) and index not in pending and not io.claimed:
                pending[index] = asyncio.create_task(self._details(io, slots[index], after_s))

        try:
            for index, candidate in enumerate(slots):
                if io.stopped or io.claimed:
                    return
                prefetch(index)
                details = await pending.pop(index)
                prefetch(index + 1, after_s=PREFETCH_AFTER_S)  # lets this slot's book go first
                if io.stopped or io.claimed:
                    return
                if details.kind is Kind.TERMINAL:
                    io.terminal(details.reason)
                    return
                if details.kind is not Kind.FOUND:
                    continue
                slot = replace(candidate, why=resy_target.explain(candidate, target))
                if io.settings.dry_run:
                    io.found_dry_run({"slot": _slot_dict(slot)})
                    return
                step = await self._book_slot(io, slot, details.book_token)
                if step in (Step.DONE, Step.STOP):
                    return
        finally:
            for task in pending.values():
                task.cancel()

    async def _details(self, io: WorkerIO, slot: Slot, after_s: float = 0.0) -> Verdict:
        """A book token for ``slot`` (after ``after_s``), retried on transient failures."""
        if after_s:
            await asyncio.sleep(after_s)
        attempt = 0
        while True:
            if io.claimed:  # another attempt has booked: nothing new leaves
                return Verdict(Kind.GONE, 0, "already booked")
            verdict = resy.read_details(await io.send(self.api.details(slot)))
            step = next_booking_step(verdict, attempt, io.settings.retries, io.policy)
            if step.step is not Step.RETRY or io.stopped:
                if verdict.kind is not Kind.FOUND:
                    io.apply(verdict)
                return verdict
            io.apply(verdict)
            await asyncio.sleep(step.wait_s)
            attempt += 1

    async def _book_slot(self, io: WorkerIO, slot: Slot, book_token: str) -> Step:
        """Book one slot; retries transient failures, never resends blindly.

        An answer that leaves the outcome unknown (no answer, 5xx, a 2xx that names no
        reservation) is checked against the account's reservations before anything is
        sent again, and stays "unsure" for the winner's sweep until it is settled.
        """
        assert self.payment_method_id is not None
        request = self.api.book(book_token, self.payment_method_id)
        minute = resy.minute_of(slot.time)
        attempt = 0
        while True:
            if io.claimed:
                return Step.DONE
            io.attempt_sent(minute)
            answer = await io.send(request)
            verdict = resy.read_book(answer, slot)
            if _unsure(answer, verdict):
                io.mark_uncertain()  # the winner then sweeps for a reservation nobody saw
                verdict = await self._went_through(io, slot) or verdict
            else:
                io.attempt_answered(minute)
            step = next_booking_step(verdict, attempt, io.settings.retries, io.policy)
            if step.step is Step.DONE and verdict.booked is not None:
                io.apply(verdict)
                claim = io.won(verdict.booked, attempt + 1)
                if claim is Claim.WON and not self.job.allow_multiple:
                    await self._sweep(io, verdict.booked)
                elif claim is Claim.LOST and not self.job.allow_multiple:
                    await self.cancel_duplicate(io, verdict.booked)
                return Step.DONE
            io.apply(verdict)
            if step.step is Step.STOP:
                io.terminal(verdict.reason)
                return Step.STOP
            if step.step is Step.NEXT:
                return Step.NEXT
            await asyncio.sleep(step.wait_s)
            attempt += 1

    async def _sweep(self, io: WorkerIO, winner: Booked) -> None:
        """After winning: once every attempt has settled, cancel what unsure attempts made.

        Only when some attempt's outcome is unknown (a lost answer, a server error, a
        2xx without ids, a worker that died or never settled), and only reservations
        that such an attempt may have made: this job's (``resy.is_for``), new since the
        run began, at the minute of an attempt still unsure. Nothing else is touched,
        whatever else the account holds. Otherwise nothing new leaves after the win.
        """
        settled = await io.settle(resy.BOOK_TIMEOUT_S + 0.5)  # a /3/book's own deadline
        if settled and not io.uncertain:
            return
        unsure = io.unsure_minutes()
        if not unsure:
            return
        listed = await self._reservations(io)
        for extra in listed or ():
            if (
                resy.is_for(extra, self.job.target)
                and resy.minute_of(extra.time_slot) in unsure
                and extra.reservation_id not in self.before
                and not winner.same_as(extra.reservation_id, extra.resy_token)
            ):
                await self.cancel_duplicate(io, _booked(extra))

    async def _went_through(self, io: WorkerIO, slot: Slot) -> Verdict | None:
        """After an unknown outcome of /3/book: is there now a reservation for this slot?

        Never the reservation that already won the claim.
        """
        listed = await self._reservations(io)
        winner = io.winner()
        for reservation in listed or ():
            if (
                resy.is_for(reservation, self.job.target)
                and reservation.reservation_id not in self.before
                and reservation.time_slot[:5] == slot.time[:5]
                and (not slot.day or reservation.day == slot.day)
                and (not slot.venue or str(reservation.venue_id) == slot.venue)
                and (
                    winner is None
                    or not winner.same_as(reservation.reservation_id, reservation.resy_token)
                )
            ):
                booked = Booked(reservation.reservation_id, slot, reservation.resy_token)
                return Verdict(
                    Kind.BOOKED, 201, "booked (confirmed by reservations)", booked=booked
                )
        return None

    async def cancel_duplicate(
        self, io: WorkerIO, booked: Booked, keep: bool = False, earlier: bool = False
    ) -> None:
        """Another reservation won: cancel this extra one (never the winner), or with
        ``keep`` only report it. ``earlier``: an earlier run's, found at warm-up."""
        winner = io.winner()
        if winner is not None and winner.same_as(booked.reservation_id, booked.token):
            return  # an unsure attempt found the winner's own reservation: it is kept
        cancelled = False
        if booked.token and not keep:
            answer = await io.send(self.api.cancel(booked.token))
            cancelled = answer.status in (200, 204)
        io.report(
            EventKind.DUPLICATE,
            reservation_id=booked.identity,
            slot=_slot_dict(booked.slot),
            cancelled=cancelled,
            earlier=earlier,
        )


def _unsure(answer: Answer, verdict: Verdict) -> bool:
    """No definite answer: the booking may or may not have been made."""
    return is_unsure(answer.status) or verdict.kind is Kind.UNKNOWN


def _booked(reservation: resy.Reservation) -> Booked:
    """A listed reservation as a ``Booked``."""
    venue = str(reservation.venue_id) if reservation.venue_id is not None else ""
    slot = Slot(
        reservation.time_slot,
        reservation.table_type,
        reservation.resy_token,
        reservation.day,
        venue=venue,
    )
    return Booked(reservation.reservation_id, slot, reservation.resy_token)


def deal(slots: tuple[Slot, ...], worker: int) -> tuple[Slot, ...]:
    """Keep the order of wanted times; among slots at one time, each worker starts elsewhere.

    Two workers that see the same answer then go for different tables of the
    best time instead of racing each other for the first one.
    """
    dealt: list[Slot] = []
    start = 0
    while start < len(slots):
        end = start
        while end < len(slots) and slots[end].time == slots[start].time:
            end += 1
        group = slots[start:end]
        shift = worker % len(group)
        dealt.extend(group[shift:] + group[:shift])
        start = end
    return tuple(dealt)


def _slot_dict(slot: Slot) -> dict[str, str]:
    return slot.as_dict()
