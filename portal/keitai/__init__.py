"""The keitai layer: everything that makes one Flask app serve Japanese feature phones.

It stands on its own (no import of the portal's models or views) so it could be lifted out as a
library. The pieces:

* :mod:`.device`: ``detect(environ) -> Device`` (carrier, encoding, cookies, page budget...),
  from :mod:`.user_agents` and the figures of :mod:`.carriers`.
* :mod:`.gateways`: carrier gateway IP ranges, for trusting subscriber-ID headers.
* :mod:`.encoding`: CP932 output with the wave-dash family mapped; :mod:`.input_decoding`:
  strict input decoding.
* :mod:`.emoji`: carrier emoji in and out of the stored form (standard Unicode), with the
  generated tables in :mod:`._emoji_tables`.
* :mod:`.wsgi`: WSGI middleware that detects the device once and transcodes form input;
  :mod:`.multipart` re-encodes the file forms of Shift_JIS phones.
* :mod:`.uploads`: which devices can send files from a form (and how large).
* :mod:`.mail`: mail from phones (sender's carrier, charsets, mail emoji) to stored text.
* :mod:`.hankaku`: half-width UI kana, and both widths for searches.
* :mod:`.image_uploads`, :mod:`.images`, :mod:`.image_rules`: upload checks and a picture per
  handset.
* :mod:`.markup`, :mod:`.paging`, :mod:`.links`: carrier markup, parts and pages, off-site
  links.
* :mod:`.session`: server-side sessions whose id travels in URLs for cookie-less phones
  (:mod:`.session_ids`, :mod:`.session_stores`).
* :mod:`.fitting`: whether text fits phone pages (its bytes on each kind of phone).
* :mod:`.ext`: the Flask extension tying these into an app, and page responses.
"""

from .device import Device, detect
from .ext import BadInputEncoding, Keitai, KeitaiFlask, PageOverBudgetError, current_device

__all__ = [
    "BadInputEncoding",
    "Device",
    "Keitai",
    "KeitaiFlask",
    "PageOverBudgetError",
    "current_device",
    "detect",
]
