"""Our own ASGI layer in front of Gradio: what Gradio's routes do not check, checked once here.

Pure ASGI middleware (no gradio import): the login route's budgets and cookies, the Origin
check, login sessions bound to an account, and timeouts on request bodies. `tutor.ui.app`
installs them; docs/security.md says what each closes and how an operator checks it.
"""
