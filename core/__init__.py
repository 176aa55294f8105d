"""What every app stands on, and nothing of the product's own: the error a broken rule raises, the
append-only base of audit trails, the review vocabulary every kind of evidence shares, the rules of
every observer's submission (ids, times, photos), photo stripping and the photo store, the signal by
which evidence announces a change, the API's one error shape and its JSON parser, the upload
handler that refuses a multipart body cut off before its end, the 503 answered while the database
does not answer, the Redis cache that a stopped Redis does not break, the middleware that spares
calls to the API with a bearer token the browsers' middleware, and model instances read by SQL
written by hand for the queries every phone's call runs. No models, no URLs.

May import: nothing of Baqylau's.
"""
