"""Domain errors carry a stable code (the key of their translated text) and parameters."""

from __future__ import annotations

from typing import Any


class ConcurrencyConflict(Exception):
    """Another transaction got in the way (a deadlock or a serialization failure) and this one was rolled
    back whole: running the same unit of work again is safe. Not a DomainError: nobody should see it."""


class DomainError(Exception):
    code = "error.generic"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.code, params)
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


class NotFound(DomainError):
    code = "error.not_found"


class SearchExpired(NotFound):
    """Page buttons name a saved search; saved searches are pruned after a while."""

    code = "error.search_expired"


class EventNotFound(NotFound):
    code = "error.event_not_found"


class OwnEventNotFound(NotFound):
    """An organizer naming an event that is not theirs (or none): the same answer for both."""

    code = "error.own_event_not_found"


class OrderNotFound(NotFound):
    """No such order, or (for an organizer) none with a ticket of their events: the same answer."""

    code = "error.order_not_found"


class UserNotFound(NotFound):
    code = "error.user_not_found"


class CartItemNotFound(NotFound):
    code = "error.cart_item_not_found"


class TicketNotFound(NotFound):
    code = "error.ticket_not_found"


class Forbidden(DomainError):
    code = "error.forbidden"


class NotStaff(Forbidden):
    code = "error.not_staff"


class NotAdmin(Forbidden):
    code = "error.not_admin"


class NotOrganizer(Forbidden):
    code = "error.not_organizer"


class AlreadyOrganizer(DomainError):
    code = "error.already_organizer"


class NotAnOrganizer(DomainError):
    """An admin revoking the role of someone who does not have it: carries name."""

    code = "error.not_an_organizer"


class OrganizerRequestPending(DomainError):
    code = "error.organizer_request_pending"


class OrganizerRequestNotFound(NotFound):
    code = "error.organizer_request_not_found"


class OrganizerRequestDecided(DomainError):
    """A second press on Approve or Decline (by the same admin or another): carries name."""

    code = "error.organizer_request_approved"


class OrganizerRequestDeclined(OrganizerRequestDecided):
    code = "error.organizer_request_declined"


class OrganizerAboutInvalid(DomainError):
    """The line about who is asking: carries min and max characters."""

    code = "error.organizer_about_invalid"


class DateUnreadable(DomainError):
    code = "error.date_unreadable"


class DateInPast(DomainError):
    code = "error.date_in_past"


class EndBeforeStart(DomainError):
    code = "error.end_before_start"


class StartAfterEnd(DomainError):
    """A new start at or after the end already set: carries nothing; the end must be changed first."""

    code = "error.start_after_end"


class FieldEmpty(DomainError):
    code = "error.field_empty"


class FieldTooLong(DomainError):
    """Carries max and length (characters)."""

    code = "error.field_too_long"


class AgeLimitInvalid(DomainError):
    code = "error.age_limit_invalid"


class TicketLimitInvalid(DomainError):
    code = "error.ticket_limit_invalid"


class CategoryUnknown(DomainError):
    code = "error.category_unknown"


class EventNotEditable(DomainError):
    """A cancelled or finished event keeps what it was: carries status."""

    code = "error.event_not_editable"


class PriceInvalid(DomainError):
    """Carries max (Money)."""

    code = "error.price_invalid"


class QuantityInvalid(DomainError):
    """Carries max."""

    code = "error.quantity_invalid"


class QuantityBelowTaken(DomainError):
    """Lowering a tariff below what is sold plus held: carries taken."""

    code = "error.quantity_below_taken"


class OrderLimitInvalid(DomainError):
    """Carries max."""

    code = "error.order_limit_invalid"


class SalesWindowInvalid(DomainError):
    """A sales window ending at or before it starts."""

    code = "error.sales_window_invalid"


# ----------------------------------------------------------- promo codes and promotions (the organizer's side)


class PromoNotFound(NotFound):
    """A code or promotion that is not the reader's (another organizer's, the shop's, or none): one answer."""

    code = "error.promo_not_found"


class PromoCodeInvalid(DomainError):
    """Typed text that cannot be a code (domain.pricing.normalize_code): carries max (characters)."""

    code = "error.promo_code_invalid"


class PromoCodeTaken(DomainError):
    """The code's text names another definition already (of any event, or the shop's): carries code."""

    code = "error.promo_code_taken"


class DiscountInvalid(DomainError):
    """A code's discount: a percent (1-100 %) or an amount up to max (Money)."""

    code = "error.discount_invalid"


class PercentInvalid(DomainError):
    code = "error.percent_invalid"


class PromoAmountInvalid(DomainError):
    """Carries max (Money)."""

    code = "error.promo_amount_invalid"


class PromoNameInvalid(DomainError):
    """Carries max (characters)."""

    code = "error.promo_name_invalid"


class PromoNumberInvalid(DomainError):
    """A whole number out of its range: carries min and max."""

    code = "error.promo_number_invalid"


class PromoLimitBelowUses(DomainError):
    """A use limit below the uses already counted: carries uses."""

    code = "error.promo_limit_below_uses"


class PromoWindowInvalid(DomainError):
    """A validity window whose end is not after its start."""

    code = "error.promo_window_invalid"


class BundleSameTariff(DomainError):
    code = "error.bundle_same_tariff"


class WeekdaysEmpty(DomainError):
    code = "error.weekdays_empty"


class EventIncomplete(DomainError):
    """Publishing an event that lacks something: carries missing (field names, "tariffs")."""

    code = "error.event_incomplete"


class AlreadyCancelled(DomainError):
    code = "error.already_cancelled"


class AlreadyPublished(DomainError):
    code = "error.already_published"


class InviteInvalid(DomainError):
    """A staff invitation used already, expired, or never made: all read the same."""

    code = "error.invite_invalid"


class StaffUnknown(DomainError):
    """An organizer naming staff who has not started the bot, or hides who they are in forwards."""

    code = "error.staff_unknown"


class BroadcastTextInvalid(DomainError):
    """Carries max (characters)."""

    code = "error.broadcast_text_invalid"


class BroadcastNotFound(NotFound):
    code = "error.broadcast_not_found"


class BroadcastAlreadySent(DomainError):
    code = "error.broadcast_already_sent"


class NoRecipients(DomainError):
    code = "error.no_recipients"


class SoldOut(DomainError):
    code = "error.sold_out"


class SalesClosed(DomainError):
    code = "error.sales_closed"


class EventNotOnSale(DomainError):
    code = "error.event_not_on_sale"


class InvalidQuantity(DomainError):
    code = "error.invalid_quantity"


class LimitReached(DomainError):
    code = "error.limit_reached"


class PersonLimitReached(DomainError):
    """Anti-scalping: tickets of one event per person, those bought and those held counted."""

    code = "error.person_limit"


class EventOrderLimitReached(DomainError):
    """Anti-scalping: tickets of one event in one order, whatever their tariffs."""

    code = "error.event_order_limit"


class HeldLimitReached(DomainError):
    """Anti-scalping: tickets one person holds at once, all events together."""

    code = "error.held_limit"


class CoolingDown(DomainError):
    """Anti-scalping: a person who keeps taking and dropping holds waits before the next one."""

    code = "error.cooling_down"


class CartFull(DomainError):
    code = "error.cart_full"


class CartEmpty(DomainError):
    code = "error.cart_empty"


class CartChanged(DomainError):
    code = "error.cart_changed"


class TermsNotAccepted(DomainError):
    """The Pay button's conditions are not the cart's: changed by the organizer since, or never shown."""

    code = "error.terms_not_accepted"


class PriceChanged(DomainError):
    """The cart's total is not the one on the Pay button: a code ran out or a promotion ended meanwhile."""

    code = "error.price_changed"


class CodeUsedUp(DomainError):
    """Another order took the code's last use while this one was being paid: nothing is charged."""

    code = "error.code_used_up"


class PromoCodeNotACode(DomainError):
    """Typed into the cart and not even shaped like a code: emoji, control characters, a paragraph."""

    code = "error.promo.not_a_code"


class PromoCodeUnknown(DomainError):
    code = "error.promo.unknown"


class PromoCodeWithdrawn(DomainError):
    code = "error.promo.withdrawn"


class PromoCodeExpired(DomainError):
    code = "error.promo.expired"


class PromoCodeUsedUp(DomainError):
    code = "error.promo.used_up"


class PromoCodeUsedUpForYou(DomainError):
    code = "error.promo.used_up_for_you"


class PromoCodeAlreadyInCart(DomainError):
    code = "error.promo.already_in_cart"


class PromoCodesFull(DomainError):
    code = "error.promo.too_many"


class PromoCodeNotInCart(DomainError):
    """A forged or stale ✖ button: the code is not in this person's cart."""

    code = "error.promo.not_in_cart"


class TopUpUnavailable(DomainError):
    """No payment provider is configured: money comes in only by an admin's /credit."""

    code = "error.topup_unavailable"


class TopUpAmountInvalid(DomainError):
    """Outside the shop's limits for one top-up: carries min and max."""

    code = "error.topup_amount"


class PaymentRefused(DomainError):
    """The pre-checkout answer's refusal: carries reason (mismatch, unavailable, not_yours)."""

    code = "error.payment_refused"


class HoldExpired(DomainError):
    code = "error.hold_expired"


class NotEnoughMoney(DomainError):
    """Carries total, balance and missing as Money so the reply can offer the exact top-up."""

    code = "error.not_enough_money"


class InvalidAmount(DomainError):
    code = "error.invalid_amount"


class DuplicateOperation(DomainError):
    code = "error.duplicate"


class TooManyAttempts(DomainError):
    """Too many failed ticket look-ups in a row: carries seconds, how long to wait before the next one."""

    code = "error.too_many_attempts"


class AttendeeNotFound(NotFound):
    """A button naming a ticket seat, question or option that is not in this person's cart (forged, or
    the line is gone)."""

    code = "error.attendee_not_found"


class AttendeeNameInvalid(DomainError):
    code = "error.attendee_name_invalid"  # params: max


class EmailInvalid(DomainError):
    code = "error.email_invalid"


class PhoneInvalid(DomainError):
    code = "error.phone_invalid"


class AnswerInvalid(DomainError):
    code = "error.answer_invalid"  # params: max


class AnswerByButton(DomainError):
    """A choice or yes/no question answered by typing."""

    code = "error.answer_by_button"


class AnswerRequired(DomainError):
    code = "error.answer_required"


class AttendeesMissing(DomainError):
    """Checkout before every ticket has its attendee and required answers."""

    code = "error.attendees_missing"  # params: missing_tickets (how many tickets still lack them)


class BuyerAnswersMissing(AttendeesMissing):
    """Checkout before the buyer answered the questions asked once per order (every ticket is complete)."""

    code = "error.buyer_answers_missing"


class NamesNotChangeable(DomainError):
    code = "error.names_not_changeable"


class QuestionsFull(DomainError):
    """An event asks as many questions as it may (the dialog's list stays one message): carries max."""

    code = "error.questions_full"


class QuestionInvalid(DomainError):
    """An organizer's question: label 2-200 characters; a choice needs 2-10 distinct options of 1-40."""

    code = "error.question_invalid"  # params: max_label, min_options, max_options, max_option


class PlanDiscountInvalid(DomainError):
    """A membership plan's discount: a percentage above 0 and at most 100, two decimals at most."""

    code = "error.plan_discount_invalid"


class MembershipPlanNotFound(NotFound):
    """No such plan (a forged button), or one no longer sold: the same answer for a customer."""

    code = "error.membership_plan_not_found"


class MembershipPlanRetired(DomainError):
    """An admin editing a plan that is no longer sold: carries plan (its name)."""

    code = "error.membership_plan_retired"


class MembershipActive(DomainError):
    """Buying while a membership is running: one at a time. Carries plan (the running one's name)."""

    code = "error.membership_active"


class MembershipNotFound(NotFound):
    """A button naming a membership that is not this person's running one (forged, or ended since)."""

    code = "error.membership_not_found"
