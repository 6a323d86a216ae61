// Behaviour shared by every page. Form controls need none: they get their Tabler classes on the server
// (kefu.core.forms.TablerFormRenderer), so forms swapped in by HTMX look like those of a fresh page.
