import time

from django.db import connection

PROBE_HEADER = "HTTP_X_BENCH_PROBE"


class ProbeMiddleware:
    """For a request carrying `X-Bench-Probe: 1`: the number of SQL queries it ran and the time
    it spent in Django (every middleware, the view, the template), as response headers.
    `X-Bench-Probe: cold` measures the same with the page cache (core/page_cache.py) bypassed:
    the page drawn from the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = request.META.get(PROBE_HEADER)
        if probe not in ("1", "cold"):
            return self.get_response(request)
        request.page_cache_off = probe == "cold"
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
            if getattr(response, "render", None) and not response.is_rendered:
                response.render()
        response["X-Bench-Ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        response["X-Bench-Queries"] = str(len(queries))
        return response
