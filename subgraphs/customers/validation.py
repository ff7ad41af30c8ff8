"""Input rules of the customers domain; each violation is a BAD_USER_INPUT naming its field."""

from __future__ import annotations

import re

from subgraphs.common.errors import BadUserInput

__all__ = ["clean_country", "clean_email", "clean_name", "clean_phone", "clean_tags"]

# Pragmatic address syntax: local part, one @, a dotted domain with a 2+ letter TLD.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
_MAX_TAGS = 20
_MAX_TAG_LENGTH = 40


def clean_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise BadUserInput("Name must be 1 to 200 characters", field="name")
    return name


def clean_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise BadUserInput(f"Invalid email address: {email!r}", field="email")
    return email


def clean_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    phone = phone.strip()
    if not _PHONE.match(phone):
        raise BadUserInput(f"Invalid phone number: {phone!r}", field="phone")
    return phone


def clean_tags(tags: list[str]) -> list[str]:
    cleaned = sorted({tag.strip().lower() for tag in tags if tag.strip()})
    if len(cleaned) > _MAX_TAGS or any(len(tag) > _MAX_TAG_LENGTH for tag in cleaned):
        raise BadUserInput(
            f"At most {_MAX_TAGS} tags of at most {_MAX_TAG_LENGTH} characters", field="tags"
        )
    return cleaned


def clean_country(country: str) -> str:
    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise BadUserInput(f"Invalid country code: {country!r}", field="country")
    return country
