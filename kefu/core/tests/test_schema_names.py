"""The OpenAPI document keys its schemas by class name: two API schemas of one name but different shapes
leave one of them described wrongly (the fuzzer then finds responses that 'violate' the other's schema)."""

from collections import defaultdict


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_api_schemas_of_one_name_have_one_shape():
    from ninja import Schema

    import kefu.api  # noqa: F401  (imports every app's API)

    by_name = defaultdict(dict)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("kefu."):
            by_name[cls.__name__][cls.__module__] = cls.model_json_schema()
    clashes = {name: sorted(shapes) for name, shapes in by_name.items()
               if len({repr(sorted(s.get("properties", {}).items())) for s in shapes.values()}) > 1}
    assert clashes == {}
