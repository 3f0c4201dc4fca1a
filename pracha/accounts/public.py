"""What other apps may use of people, businesses and API tokens."""

from pracha.accounts.api_auth import api_auth, api_person
from pracha.accounts.models import ApiToken, AssuranceLevel, Business, BusinessAuthorisation, User
from pracha.accounts.selectors import (
    acting_for_business,
    business_by_juristic_number,
    businesses_for,
    has_totp,
    on_behalf_of_business,
    people_acting_for,
    user_by_public_id,
)
from pracha.accounts.services import citizen_sign_up

__all__ = [
    "ApiToken",
    "AssuranceLevel",
    "Business",
    "BusinessAuthorisation",
    "User",
    "acting_for_business",
    "api_auth",
    "api_person",
    "business_by_juristic_number",
    "businesses_for",
    "citizen_sign_up",
    "has_totp",
    "on_behalf_of_business",
    "people_acting_for",
    "user_by_public_id",
]
