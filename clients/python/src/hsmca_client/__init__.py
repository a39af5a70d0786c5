"""hsmca-client: a service's certificate from the HSM CA appliance, kept renewed, for Python services.

>>> from hsmca_client import PKIClient
>>> pki = PKIClient("https://ca.example:8443", "my-service", install_token=token, ca_bundle="root.pem")
>>> pki.request_certificate(common_name="my-service.example", san_dns=["my-service", "localhost"])
>>> pki.enable_auto_renewal()
>>> ssl_context = pki.get_ssl_context()   # serves each renewed certificate on new handshakes
"""

from ._version import __version__
from .client import PKIClient
from .errors import CAUnavailableError, CertificateNotFoundError, CertificateStoreError, PKIClientError
from .servers import uvicorn_server

__all__ = [
    "PKIClient",
    "PKIClientError",
    "CertificateNotFoundError",
    "CertificateStoreError",
    "CAUnavailableError",
    "uvicorn_server",
    "__version__",
]
