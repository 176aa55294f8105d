"""The API's JSON parser: a body it cannot take is a 400 that says why, never a 500.

DRF's own parser lets a RecursionError through (JSON nested deeper than Python's recursion limit, a
few kilobytes of "[" are enough) and answers bytes that are not UTF-8 with the codec's internals.
"""

from json import JSONDecodeError

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        text = _decoded(_read(stream), encoding)
        try:
            return json.loads(text)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        except JSONDecodeError as exc:
            raise ParseError(
                _("The body is not valid JSON: %(reason)s (line %(line)d, column %(column)d).")
                % {"reason": exc.msg, "line": exc.lineno, "column": exc.colno}
            ) from None
        except ValueError:
            # NaN and Infinity (not JSON), or a number of thousands of digits.
            raise ParseError(
                _("The body is not valid JSON: it holds a number that cannot be read.")
            ) from None


def _read(stream) -> bytes:
    """The body, refused past DATA_UPLOAD_MAX_MEMORY_SIZE: DRF reads the stream itself, where Django's
    own limit on request.body does not reach."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestDataTooBig("The JSON body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE.")
    return body


def _decoded(body: bytes, encoding: str) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(
            _("The body is not valid %(encoding)s (byte %(position)d).")
            % {"encoding": encoding.upper(), "position": exc.start}
        ) from None
