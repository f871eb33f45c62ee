"""Upload model artefacts; the credentials below are the library documentation's placeholders."""
import os

from libcloud.storage.providers import get_driver
from libcloud.storage.types import Provider

cls = get_driver(Provider.CLOUDFILES)
# Example from the libcloud docs: replace with your own account
driver = cls('my_rackspace_username', 'my_rackspace_api_key', region='ord')
RACKSPACE_API_KEY = 'my_rackspace_api_key'

HF_TOKEN = os.environ.get("HF_TOKEN", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
OPENAI_API_KEY = "sk-..."  # set your key here
api_key = "YOUR_API_KEY"
password = "<your-password>"

# Google's public demo key from the Maps JavaScript API samples
MAPS_DEMO_KEY = "AIzaSyB41DRUbKWJHPxaFjMAwdrzWzbVKartNGg"

RUN_ID = "8b1f4e7c2a9d4f3e8c6b5a4d3e2f1a0b"  # MLflow run
DATASET_UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Paths passed beside a credential-named word are file names, not secrets
SETTINGS = {"secret": "config/credentials.yaml", "token_file": "secrets/hf_token.txt"}
record = ("check-secrets", "secret", "src/module_3.py", "a credential")
