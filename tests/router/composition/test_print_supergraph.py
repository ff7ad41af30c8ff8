from __future__ import annotations

from router.composition.print_supergraph import locale_key, print_block_string


def test_names_sort_like_icu_locale_compare() -> None:
    names = [
        "Query",
        "join__Graph",
        "policy__Policy",
        "Product",
        "link__Import",
        "join__FieldSet",
        "User",
        "user",
        "_Any",
        "A2",
        "Ab",
    ]
    assert sorted(names, key=locale_key) == [
        "_Any",
        "A2",
        "Ab",
        "join__FieldSet",
        "join__Graph",
        "link__Import",
        "policy__Policy",
        "Product",
        "Query",
        "user",
        "User",
    ]


def test_block_strings_follow_apollos_printer() -> None:
    assert print_block_string("short") == '"""short"""'
    assert print_block_string("two\nlines") == '"""\ntwo\nlines\n"""'
    assert print_block_string('ends with "') == '"""\nends with "\n"""'
    assert print_block_string("x" * 71, prefer_multiple_lines=True) == f'"""\n{"x" * 71}\n"""'
