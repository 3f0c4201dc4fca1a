from pracha.core import events


def bill_for_fee(*, event: events.FeeDue) -> None:
    raise NotImplementedError
