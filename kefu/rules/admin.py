"""No Django admin for rule overrides, on purpose: the settings page (/rules/) and the API are the
editors. They validate by type and range, check related settings, enforce versions and record every
change; a generic admin form would bypass all of that."""
