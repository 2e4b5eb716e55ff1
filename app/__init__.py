"""Matcha: a CRM for the jobbmäklare of a Swedish municipal recruitment service."""

from starlette.convertors import Convertor, register_url_convertor

__version__ = "0.1.0"


class IdConvertor(Convertor[int]):
    """`{name:int}` in a route path: at most 18 digits, so every id it matches fits the
    databases' 64-bit integers. A longer number (or a negative one) matches no route and is
    a 404, where it used to reach the database and fail there (OverflowError: a 500)."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


# Here, before any route is declared: a route compiles its path when it is declared.
register_url_convertor("int", IdConvertor())
