"""The request body of an upload, held to what the product accepts before anything is stored.

- CappedUploadHandler: how large a request with files may be. Django caps the form fields of a
  multipart body (DATA_UPLOAD_MAX_MEMORY_SIZE) and how many files it carries
  (DATA_UPLOAD_MAX_NUMBER_FILES), but not the size of the files: a client could send gigabytes that
  Django would write to temporary files before any view could refuse them. This handler refuses the
  body from its Content-Length before a byte of it is read, and a file the moment it passes its own
  cap, with Django's RequestDataTooBig: a 400 in the API's error shape (core/api_errors.py), a 400
  page elsewhere.
- CompleteMultipartHandler: a body cut off is refused, not half-read. Django's multipart parser takes
  a body without its closing boundary as complete: the fields before the cut arrive, and the file
  being sent when the connection dropped arrives truncated. A report would be stored without the
  photo the observer attached, or with half of it under an evidence seal. This handler watches the
  last bytes of the body go by and fails the parse when they are not the closing boundary: the page
  then answers 400, and the API 400 in its one shape.

Both stand in FILE_UPLOAD_HANDLERS before the handlers that store files, and pass every chunk on.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

# "--" boundary "--", then at most a line break and some padding that clients may add.
TAIL_BYTES = 200


class CappedUploadHandler(FileUploadHandler):
    """Only counts, and passes every chunk on to the next handler."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        # Django reads no more than Content-Length (a body without one is read as empty), so this
        # bounds the whole body, and nothing of it has been buffered yet.
        if content_length > settings.UPLOAD_MAX_BYTES:
            raise RequestDataTooBig(f"The body is over UPLOAD_MAX_BYTES ({settings.UPLOAD_MAX_BYTES}).")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_FILE_BYTES:
            raise RequestDataTooBig(
                f"A file is over UPLOAD_MAX_FILE_BYTES ({settings.UPLOAD_MAX_FILE_BYTES})."
            )
        return raw_data

    def file_complete(self, file_size: int) -> None:
        # The handlers after this one (memory, or a temporary file) make the file.
        return None


class _TailStream:
    """The request's stream, remembering the last bytes read from it."""

    def __init__(self, stream):
        self._stream = stream
        self.tail = b""

    def read(self, *args, **kwargs) -> bytes:
        chunk = self._stream.read(*args, **kwargs)
        self.tail = (self.tail + chunk)[-TAIL_BYTES:]
        return chunk

    def readline(self, *args, **kwargs) -> bytes:
        line = self._stream.readline(*args, **kwargs)
        self.tail = (self.tail + line)[-TAIL_BYTES:]
        return line

    def __getattr__(self, name):
        return getattr(self._stream, name)


class CompleteMultipartHandler(FileUploadHandler):
    """Passes every chunk on to the next handler; fails the upload whose body did not end."""

    def __init__(self, request=None):
        super().__init__(request)
        self.boundary = b""
        # Handlers are made before the body is read (Django's and DRF's multipart parsers both read
        # it through the request), so wrapping the stream here sees every byte.
        self.stream = None
        if request is not None and not getattr(request, "_read_started", True):
            self.stream = request._stream = _TailStream(request._stream)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.boundary = boundary or b""

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None

    def upload_complete(self):
        tail = self._tail()
        if not self.boundary or tail is None:
            return
        if not tail.rstrip().endswith(b"--" + self.boundary + b"--"):
            raise MultiPartParserError(_("The upload was cut off before its end. Send it again."))

    def _tail(self) -> bytes | None:
        # A body read whole before parsing (request.body) is parsed from that copy, not the stream.
        body = getattr(self.request, "_body", None)
        if body is not None:
            return body[-TAIL_BYTES:]
        # None: the body was read by other means than these two; nothing to judge it by.
        return self.stream.tail if self.stream is not None else None
