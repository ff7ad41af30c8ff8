"""The demo data set as pure functions of (scale, id): the same input always gives the same
row, whichever domain asks and in whichever order."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "CATEGORIES",
    "EPOCH",
    "GeneratedAddress",
    "GeneratedCustomer",
    "GeneratedLine",
    "GeneratedOrder",
    "GeneratedProduct",
    "Scale",
    "customer",
    "customers",
    "order",
    "orders",
    "product",
    "products",
]

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
CATEGORIES = ("electronics", "home", "kitchen", "outdoor", "toys", "beauty", "books", "grocery")
_ADJECTIVES = ("Classic", "Smart", "Compact", "Deluxe", "Eco", "Pro", "Portable", "Quiet", "Mini")
_NOUNS = {
    "electronics": ("Headphones", "Charger", "Speaker", "Camera", "Tablet", "Router"),
    "home": ("Lamp", "Chair", "Rug", "Mirror", "Shelf", "Clock"),
    "kitchen": ("Kettle", "Wok", "Blender", "Rice Cooker", "Knife Set", "Teapot"),
    "outdoor": ("Tent", "Backpack", "Lantern", "Bike Pump", "Hammock", "Cooler"),
    "toys": ("Puzzle", "Kite", "Robot Kit", "Building Blocks", "Plush Panda", "Yo-yo"),
    "beauty": ("Face Cream", "Hair Dryer", "Lip Balm", "Serum", "Brush Set", "Mask"),
    "books": ("Cookbook", "Novel", "Atlas", "Poetry Collection", "Travel Guide", "Comic"),
    "grocery": ("Green Tea", "Rice", "Chili Oil", "Noodles", "Dumplings", "Honey"),
}
_FAMILY = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Smith")
_GIVEN = ("Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Tao", "Hui", "Jun", "Alex", "Mia")
_CITIES = (
    ("Shanghai", "CN"),
    ("Beijing", "CN"),
    ("Shenzhen", "CN"),
    ("Hangzhou", "CN"),
    ("Chengdu", "CN"),
    ("Singapore", "SG"),
    ("Hong Kong", "HK"),
)
_TAGS = ("vip", "newsletter", "mobile-app", "wholesale", "student", "early-adopter", "churn-risk")
_TIERS = ("BRONZE", "SILVER", "GOLD", "PLATINUM")
_TIER_WEIGHTS = (60, 25, 12, 3)


@dataclass(frozen=True, slots=True)
class Scale:
    customers: int = 200
    orders: int = 1_000
    products: int = 0  # 0: derived from customers
    warehouses: int = 3
    seed: int = 42

    @property
    def product_count(self) -> int:
        return self.products or max(40, min(5_000, self.customers // 50))


@dataclass(frozen=True, slots=True)
class GeneratedAddress:
    kind: str
    line1: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, slots=True)
class GeneratedCustomer:
    id: int
    name: str
    email: str
    phone: str
    tier: str
    tags: tuple[str, ...]
    created_at: datetime
    addresses: tuple[GeneratedAddress, ...]


@dataclass(frozen=True, slots=True)
class GeneratedProduct:
    id: int
    sku: str
    name: str
    description: str
    category: str
    price_minor: int
    currency: str
    weight_grams: int
    status: str
    listed_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GeneratedLine:
    product_id: int
    quantity: int
    unit_price_minor: int


@dataclass(frozen=True, slots=True)
class GeneratedOrder:
    id: int
    customer_id: int
    status: str
    created_at: datetime
    lines: tuple[GeneratedLine, ...]

    @property
    def total_minor(self) -> int:
        return sum(line.quantity * line.unit_price_minor for line in self.lines)


def _rng(scale: Scale, kind: str, id_: int) -> random.Random:
    return random.Random(f"{scale.seed}:{kind}:{id_}")


def customer(scale: Scale, id_: int) -> GeneratedCustomer:
    rng = _rng(scale, "customer", id_)
    family, given = rng.choice(_FAMILY), rng.choice(_GIVEN)
    city, country = rng.choice(_CITIES)
    addresses = [
        GeneratedAddress(
            "SHIPPING",
            f"{rng.randint(1, 999)} {rng.choice(_NOUNS['home'])} Road",
            city,
            f"{rng.randint(100000, 999999)}",
            country,
        )
    ]
    if rng.random() < 0.3:
        addresses.append(
            GeneratedAddress(
                "BILLING",
                f"{rng.randint(1, 999)} Market Street",
                city,
                f"{rng.randint(100000, 999999)}",
                country,
            )
        )
    return GeneratedCustomer(
        id=id_,
        name=f"{given} {family}",
        email=f"{given}.{family}.{id_}@example.com".lower(),
        phone=f"+86 1{rng.randint(30, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        tier=rng.choices(_TIERS, _TIER_WEIGHTS)[0],
        tags=tuple(sorted(rng.sample(_TAGS, rng.randint(0, 3)))),
        created_at=EPOCH + timedelta(minutes=id_),
        addresses=tuple(addresses),
    )


def product(scale: Scale, id_: int) -> GeneratedProduct:
    rng = _rng(scale, "product", id_)
    category = CATEGORIES[id_ % len(CATEGORIES)]
    noun = rng.choice(_NOUNS[category])
    status = "LISTED" if rng.random() < 0.9 else rng.choice(("DRAFT", "DELISTED"))
    created = EPOCH - timedelta(days=rng.randint(30, 400))
    return GeneratedProduct(
        id=id_,
        sku=f"SKU-{id_:06d}",
        name=f"{rng.choice(_ADJECTIVES)} {noun}",
        description=f"A {noun.lower()} for everyday {category}.",
        category=category,
        price_minor=rng.randint(5, 2_000) * 100 - rng.choice((0, 1, 10, 50)),
        currency="CNY",
        weight_grams=rng.randint(50, 20_000),
        status=status,
        listed_at=created + timedelta(days=1) if status != "DRAFT" else None,
        created_at=created,
    )


@functools.lru_cache(maxsize=65_536)
def _price(scale: Scale, product_id: int) -> int:
    return product(scale, product_id).price_minor


def _pick_product(scale: Scale, rng: random.Random, home_category: int) -> int:
    """Products cluster by category per customer, which gives recommendations structure."""
    count = scale.product_count
    if rng.random() < 0.7:
        slots = max(1, count // len(CATEGORIES))
        slot = min(int(rng.paretovariate(1.2)) - 1, slots - 1)
        candidate = slot * len(CATEGORIES) + home_category + 1
        if candidate <= count:
            return candidate
    return rng.randint(1, count)


def order(scale: Scale, id_: int) -> GeneratedOrder:
    rng = _rng(scale, "order", id_)
    # A few customers order a lot, most order a little.
    customer_id = min(
        scale.customers, int(rng.paretovariate(0.8) * 7919 * id_) % scale.customers + 1
    )
    home_category = customer_id % len(CATEGORIES)
    product_ids = {_pick_product(scale, rng, home_category) for _ in range(rng.randint(1, 4))}
    lines = tuple(
        GeneratedLine(pid, rng.randint(1, 3), _price(scale, pid)) for pid in sorted(product_ids)
    )
    age = scale.orders - id_
    status = (
        "DELIVERED" if age > 200 else "SHIPPED" if age > 100 else "PAID" if age > 30 else "PENDING"
    )
    if rng.random() < 0.04:
        status = "CANCELLED"
    created_at = EPOCH + timedelta(seconds=id_ * 30)
    return GeneratedOrder(id_, customer_id, status, created_at, lines)


def customers(scale: Scale) -> Iterator[GeneratedCustomer]:
    return (customer(scale, id_) for id_ in range(1, scale.customers + 1))


def products(scale: Scale) -> Iterator[GeneratedProduct]:
    return (product(scale, id_) for id_ in range(1, scale.product_count + 1))


def orders(scale: Scale) -> Iterator[GeneratedOrder]:
    return (order(scale, id_) for id_ in range(1, scale.orders + 1))
