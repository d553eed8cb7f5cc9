"""The cart's sequence of calls: read the cart, then add to cart every tick until accepted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from booker.core.decide import Kind, Step, Verdict, next_booking_step
from booker.core.exceptions import ParseError
from booker.core.model import Booked, Slot
from booker.core.ports import Claim, EventKind, JobIdentity, WorkerIO
from booker.core.wire import NO_ANSWER, Answer, Request
from booker.providers import cart
from booker.providers.base import warm_with_retries
from booker.providers.cart import CartApi, CartCredentials, CartItem, CartTarget
from booker.providers.common import is_unsure

CONFIRM_ATTEMPTS = 3
TAKEN_OTHERS_WANTED = "site taken: the others stay wanted"


@dataclass(frozen=True, slots=True)
class CartJob:
    """Everything a worker needs to run the cart flow (pickles into workers)."""

    credentials: CartCredentials
    target: CartTarget
    allow_multiple: bool = False
    force: bool = False  # go on even when the cart already holds this stay
    noun: str = "cart item"
    hold_minutes: int = cart.HOLD_MINUTES  # the win is held this long, until checkout

    def flow(self) -> CartFlow:
        """A fresh flow for one worker."""
        return CartFlow(self)

    def identity(self) -> JobIdentity:
        """What the journal files this job under."""
        target = self.target
        sites = ",".join(sorted(set(target.all_sites)))  # one site: the key of old
        venue = f"{target.contract_code}/{target.facility_id}/{sites}"
        return JobIdentity(cart.NAME, venue, target.arrival_date, None, (target.nights,))


class CartFlow:
    """One worker's cart flow."""

    def __init__(self, job: CartJob) -> None:
        self.job = job
        self.api = CartApi(job.credentials, job.target)
        self.sites = job.target.all_sites  # in order of preference, one request each per tick
        self.taken: set[str] = set()  # sites someone else took
        self._polls = tuple(
            CartApi(job.credentials, job.target.at(site)).add_item() for site in self.sites
        )
        self.before: frozenset[str] = frozenset()  # cart item ids held before this run
        self.count_before: int | None = None  # itemsCount when warm
        self._unknown_told = False  # "unknown: check your cart" is said once per worker

    async def warm(self, io: WorkerIO) -> bool:
        """Read the cart once: proves the credentials, remembers what was there before."""
        return await warm_with_retries(io, lambda: self._warm_once(io))

    async def _warm_once(self, io: WorkerIO) -> bool | str:
        answer = await io.send(self.api.view_cart())
        refused = cart.classify_cart_answer(answer)
        if refused is not None:
            if refused.kind is Kind.TERMINAL:
                io.terminal(refused.reason)
                return False
            return refused.reason
        try:
            view = cart.read_cart_view(answer)
        except ParseError as exc:
            return str(exc)  # a failure like any other: try again
        items = list(view.items)
        self.before = self.before | {item.cart_item_id for item in items}
        if view.items_count is not None:
            self.count_before = view.items_count
        held = self._best_first([i for i in items if i.matches(self.job.target)])
        if held and not self.job.force and not io.settings.dry_run:
            # an earlier run got it (and perhaps died before recording it, perhaps twice)
            kept, *extras = held
            booked = Booked(kept.cart_item_id, self._slot(kept.cart_item_id, kept.site_id))
            if io.won(booked, 0, recovered=True) is Claim.WON:
                await self._remove_extras(io, extras, earlier=True)
            return False
        io.report(
            EventKind.READY,
            http_version=answer.http_version,
            warm_ms=answer.elapsed_s * 1e3,
            cart_items=len(items),
        )
        if io.settings.dry_run:
            io.found_dry_run({"slot": self._slot_dict(), "cart_items": len(items)})
            return False
        return True

    def probe(self) -> Request:
        """Read the cart: cheap, and proves the session is still good."""
        return self.api.view_cart()

    def polls(self) -> tuple[Request, ...]:
        """Every tick adds the stay at each site still open to the cart (one request each)."""
        return self._polls

    def read_poll(self, answer: Answer) -> Verdict:
        """Classify an add-to-cart answer (a job of one site)."""
        return self.read_polls([answer])

    def read_polls(self, answers: list[Answer] | tuple[Answer, ...]) -> Verdict:
        """One tick's answers, one per open site, as one verdict.

        FOUND for the first site (in order of preference) that was added or overlaps,
        carrying that site. A site someone else took counts as gone; the job stops with
        "already reserved" only once every site has been taken. An add that failed
        transiently (a failure, or no answer) carries its site too: ``book`` sends it
        again, as ``--retries`` says.
        """
        read = list(zip(self.sites, (cart.read_add(a) for a in answers), strict=False))
        for site, verdict in read:
            if verdict.kind is Kind.FOUND:
                return replace(verdict, slots=(self._candidate(site),))
        left = [(site, verdict) for site, verdict in read if not self._taken(site, verdict)]
        for kind in (Kind.TERMINAL, Kind.THROTTLE, Kind.FAILURE):
            for site, verdict in left:
                if verdict.kind is kind:
                    return self._retried(site, verdict)
        return left[0][1] if left else Verdict(Kind.GONE, 0, TAKEN_OTHERS_WANTED)

    def _candidate(self, site: str) -> Slot:
        """The stay at ``site`` as a candidate slot, ranked by the order of the sites."""
        rank = self.sites.index(site) + 1
        return Slot("", self._what(site), "", self.job.target.arrival_date, site, rank)

    def _taken(self, site: str, verdict: Verdict) -> bool:
        """Someone else took ``site``, and other sites are still wanted (it is gone, then)."""
        if verdict.kind is not Kind.TERMINAL or verdict.reason != cart.ALREADY_RESERVED:
            return False
        self.taken.add(site)
        return len(self.taken) < len(self.sites)

    def _retried(self, site: str, verdict: Verdict) -> Verdict:
        """``verdict`` carrying ``site`` when the add failed transiently (``book`` retries it)."""
        transient = verdict.kind is Kind.FAILURE or (
            verdict.kind is Kind.THROTTLE and verdict.status == NO_ANSWER
        )
        return replace(verdict, slots=(self._candidate(site),)) if transient else verdict

    async def book(self, io: WorkerIO, verdict: Verdict) -> None:
        """Added, or overlapping: confirm through the cart which of our items won. An add
        that failed transiently: send it again (``_retry``)."""
        if verdict.kind is Kind.FOUND:
            await self._confirm(io, verdict)
        elif verdict.slots:
            await self._retry(io, verdict)

    async def _confirm(self, io: WorkerIO, verdict: Verdict) -> None:
        """Read the cart (again after a failed read, backing off as the policy says) and
        claim our item."""
        for attempt in range(CONFIRM_ATTEMPTS):
            if io.claimed and verdict.reason == cart.OVERLAPS:
                return  # our own parallel request won; nothing more to do
            answer = await io.send(self.api.view_cart())
            refused = cart.classify_cart_answer(answer)
            if refused is not None:
                io.apply(refused)
                if refused.kind is Kind.TERMINAL:
                    io.terminal(refused.reason)
                    return
                await asyncio.sleep(io.policy.backoff_s(attempt))
                continue
            try:
                view = cart.read_cart_view(answer)
            except ParseError:
                await asyncio.sleep(io.policy.backoff_s(attempt))
                continue
            await self._settle(io, verdict, view)
            return
        if not io.claimed:
            what = "added" if verdict.reason == cart.ADDED else "an overlapping item"
            self._unknown(io, f"{what}, but the cart could not be read")

    async def _retry(self, io: WorkerIO, verdict: Verdict) -> None:
        """The tick's add at ``verdict``'s site failed transiently: add again, up to
        ``--retries`` times, backing off as the policy says (as Resy retries a booking).

        Never sent again blindly: an add without a definite answer (none, or 5xx) may
        have put the stay in the cart, so the cart is read first, and an item of ours
        there is claimed instead. A cart that cannot be read ends the retries: the next
        tick's add answers (an add of a stay already ours comes back "overlaps").
        """
        site = verdict.slots[0].venue
        request = self._polls[self.sites.index(site)]
        attempt = 0
        while not (io.claimed or io.stopped):
            step = next_booking_step(verdict, attempt, io.settings.retries, io.policy)
            if step.step is Step.STOP:
                io.terminal(verdict.reason)
                return
            if step.step is not Step.RETRY:
                return  # polling goes on
            if is_unsure(verdict.status):  # the add may have put the stay in the cart
                view = await self._read_cart(io)
                if view is None:
                    return  # cannot tell whether it went in: polling goes on
                ours = self.ours(verdict, view)
                if ours:
                    await self._claim(io, ours)
                    return
            await asyncio.sleep(step.wait_s)
            if io.claimed or io.stopped:
                return
            again = cart.read_add(await io.send(request))
            if again.kind is Kind.FOUND:
                found = replace(again, slots=(self._candidate(site),))
                io.apply(found)
                await self._confirm(io, found)
                return
            verdict = (
                Verdict(Kind.GONE, again.status, TAKEN_OTHERS_WANTED)
                if self._taken(site, again)
                else replace(again, slots=verdict.slots)
            )
            io.apply(verdict)
            attempt += 1

    async def _read_cart(self, io: WorkerIO) -> cart.CartView | None:
        """The cart as it is now; None when it cannot be read (a refusal is applied)."""
        answer = await io.send(self.api.view_cart())
        refused = cart.classify_cart_answer(answer)
        if refused is not None:
            io.apply(refused)
            return None
        try:
            return cart.read_cart_view(answer)
        except ParseError:
            return None

    def _unknown(self, io: WorkerIO, why: str) -> None:
        """Say once that the outcome is unknown; polling goes on and may still prove it."""
        if not self._unknown_told:
            self._unknown_told = True
            io.report(EventKind.WARNING, message=f"{cart.UNKNOWN} ({why})")

    def ours(self, verdict: Verdict, view: cart.CartView) -> list[CartItem]:
        """Items of ``view`` that this run added: new and for our stay; or, where the cart
        does not describe its items, new ones, named by ``lastChanges.addedItems`` or shown
        by ``itemsCount`` risen over the warm-up snapshot."""
        target = self.job.target
        new = [i for i in view.items if i.cart_item_id not in self.before]
        matching = self._best_first([i for i in new if i.matches(target)])
        if matching:
            return matching
        anonymous = [i for i in new if not i.described]
        named = [i for i in anonymous if i.cart_item_id in view.added] or anonymous
        if named:
            return named
        added = [a for a in view.added if a not in self.before]
        rose = (
            view.items_count is not None
            and self.count_before is not None
            and view.items_count > self.count_before
        )
        if added or (rose and not new):
            name = added[0] if added else verdict.book_token or f"item {view.items_count} in cart"
            site = verdict.slots[0].venue if verdict.slots else target.site_id
            return [CartItem(name, site, target.arrival_date, target.facility_id)]
        return []

    def _best_first(self, items: list[CartItem]) -> list[CartItem]:
        """Items of the job in the order of its sites (the first site wanted first)."""
        order = {site: rank for rank, site in enumerate(self.sites)}
        return sorted(items, key=lambda item: order.get(item.site_id, len(order)))

    async def _settle(self, io: WorkerIO, verdict: Verdict, view: cart.CartView) -> None:
        ours = self.ours(verdict, view)
        if not ours:
            if verdict.reason == cart.OVERLAPS and not io.claimed:
                if view.items:  # read, and it holds an item that is not ours
                    io.terminal(cart.CART_FULL)
                else:
                    self._unknown(io, "overlapping, yet the cart is empty")
            return
        await self._claim(io, ours)

    async def _claim(self, io: WorkerIO, ours: list[CartItem]) -> None:
        """Claim the first of our items (best first); the winner removes the others."""
        first, extras = ours[0], ours[1:]
        booked = Booked(first.cart_item_id, self._slot(first.cart_item_id, first.site_id))
        io.apply(Verdict(Kind.BOOKED, 200, "in cart", booked=booked))
        if io.won(booked, 1) is Claim.WON:
            await self._remove_extras(io, extras)

    async def _remove_extras(
        self, io: WorkerIO, extras: list[CartItem], earlier: bool = False
    ) -> None:
        """Remove the other items of this stay (``--allow-multiple``: only report them).

        ``earlier``: an earlier run's, found at warm-up."""
        for extra in extras:
            removed = False
            if not self.job.allow_multiple:
                answer = await io.send(self.api.remove(extra.cart_item_id))
                removed = answer.status == 200
            io.report(
                EventKind.DUPLICATE,
                reservation_id=extra.cart_item_id,
                cancelled=removed,
                slot=self._slot_dict(extra.site_id),
                earlier=earlier,
            )

    def _slot(self, cart_item_id: str = "", site: str = "") -> Slot:
        """The stay as a slot; with several sites, which one and why (its rank)."""
        target = self.job.target
        site = site or target.site_id
        slot = Slot("", self._what(site), cart_item_id, target.arrival_date)
        if len(self.sites) > 1 and site in self.sites:
            rank = self.sites.index(site) + 1
            why = f"rank {rank}; site {site} (choice {rank} of {len(self.sites)})"
            slot = replace(slot, venue=site, rank=rank, why=why)
        return slot

    def _what(self, site: str = "") -> str:
        target = self.job.target
        nights = f"{target.nights} night{'s' if target.nights != 1 else ''}"
        return f"site {site or target.site_id}, {nights}"

    def _slot_dict(self, site: str = "") -> dict[str, str]:
        target = self.job.target
        return {
            "site": site or target.site_id,
            "day": target.arrival_date,
            "nights": str(target.nights),
            "type": self._what(site),
            "time": "",
        }
