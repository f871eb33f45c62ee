"""The provider token formats of gitworthy's TokenFormatDetector (`gitworthy.secrets.plugins`).

Providers whose tokens carry their own marker (a prefix, a fixed shape): found wherever they
appear, whatever name they are assigned to. One table, one plugin; each row names the token,
says why it is a credential and how to revoke or rotate it (the finding's hint). Plain data,
without detect-secrets: the prefilter reads it before any plugin is loaded.
"""
from __future__ import annotations

from gitworthy.records import Record


class Format(Record):
    """One token format: the secret type findings report, the token (a regex whose first
    group, or whole match, is the value), what holding it allows, where to revoke it."""

    def __init__(self, name: str, pattern: str, why: str, rotate: str) -> None:
        self.name = name
        self.pattern = pattern
        self.why = why
        self.rotate = rotate


_API = "it authenticates API calls as its owner"
_PUSH = "it publishes packages under its owner's name"
_POST = "anyone holding it can post into the channel"
_B = r"(?<![A-Za-z0-9_\-.])"    # not inside a longer token
_E = r"(?![A-Za-z0-9_\-])"
FORMATS: tuple[Format, ...] = (
    Format("1Password Service Account Token", r"\b(ops_eyJ[A-Za-z0-9+/]{240,}={0,3})", _API,
           "revoke it in 1Password (Developer > Service accounts)"),
    Format("1Password Secret Key", _B + r"(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
           r"-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})" + _E,
           "with the account password it opens the whole vault",
           "regenerate the Secret Key in 1Password (Profile > Secret Key)"),
    Format("Adobe Client Secret", _B + r"(p8e-[A-Za-z0-9]{32})" + _E, _API,
           "rotate the client secret in the Adobe Developer Console"),
    Format("age Secret Key", r"(AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58})",
           "it decrypts every file encrypted to its recipient",
           "generate a new key with age-keygen and re-encrypt the files"),
    Format("Airtable Personal Access Token", _B + r"(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})" + _E,
           _API, "delete the token at airtable.com/create/tokens"),
    Format("Alibaba Cloud AccessKey ID", _B + r"(LTAI[A-Za-z0-9]{17,21})" + _E, _API,
           "disable the AccessKey in the RAM console"),
    Format("Anthropic API Key", _B + r"(sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{80,100}AA)" + _E,
           _API + " and bills its account", "delete the key in the Anthropic Console"),
    Format("Artifactory Reference Token", _B + r"(cmVmd[A-Za-z0-9]{59})" + _E, _API,
           "revoke the token in JFrog Platform (User Profile > Identity tokens)"),
    Format("Atlassian API Token", _B + r"(ATATT3[A-Za-z0-9_\-=]{186})" + _E, _API,
           "revoke it at id.atlassian.com/manage-profile/security/api-tokens"),
    Format("AWS Bedrock API Key", _B + r"(ABSK[A-Za-z0-9+/]{100,}={0,2})",
           _API + " and bills its account", "delete the Bedrock API key in IAM"),
    Format("Azure AD Client Secret",
           r"(?<![A-Za-z0-9_~.\-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?![A-Za-z0-9_~.\-])",
           "it signs in as the application (service principal)",
           "delete the secret in Entra ID (App registrations > Certificates & secrets)"),
    Format("ClickHouse Cloud API Secret", _B + r"(4b1d[A-Za-z0-9]{38})" + _E, _API,
           "delete the key in ClickHouse Cloud (API Keys)"),
    Format("Clojars Deploy Token", r"(?i)\b(CLOJARS_[a-z0-9]{60})" + _E, _PUSH,
           "delete the token at clojars.org/tokens"),
    Format("Cloudflare Origin CA Key", _B + r"(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})" + _E, _API,
           "revoke the Origin CA key in the Cloudflare dashboard (My Profile > API Tokens)"),
    Format("Databricks Token", _B + r"(dapi[a-f0-9]{32}(?:-\d)?)" + _E, _API + " on the "
           "workspace", "revoke it in Databricks (User Settings > Access tokens)"),
    Format("Defined Networking API Token", _B + r"(dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52})" + _E,
           _API, "delete the key in the Defined Networking admin panel"),
    Format("DigitalOcean Token", _B + r"((?:dop|doo|dor)_v1_[a-f0-9]{64})" + _E, _API,
           "delete the token at cloud.digitalocean.com/account/api/tokens"),
    Format("Doppler Token", r"(?i)\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[a-z0-9]{40,44})" + _E,
           "it reads the project's secrets", "revoke the token in the Doppler dashboard"),
    Format("Dropbox Token", r"\b(sl\.[A-Za-z0-9\-=_]{130,})" + _E, _API,
           "revoke the app's access at dropbox.com/account/connected_apps"),
    Format("Duffel API Token", _B + r"(duffel_(?:test|live)_[A-Za-z0-9_\-=]{43})" + _E, _API,
           "delete the token in the Duffel dashboard"),
    Format("Dynatrace API Token", _B + r"(dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})" + _E, _API,
           "revoke the token in Dynatrace (Access tokens)"),
    Format("EasyPost API Key", _B + r"((?:EZAK|EZTK)[A-Za-z0-9]{54})" + _E, _API,
           "rotate the key in the EasyPost dashboard"),
    Format("Facebook Access Token", _B + r"(EAA[A-Za-z0-9]{100,})" + _E, _API,
           "invalidate the token in Meta for Developers (reset the app secret)"),
    Format("Flutterwave Key", _B + r"(FLW(?:PUBK|SECK)_TEST-[A-Za-z0-9]{32}-X)" + _E, _API,
           "regenerate the keys in the Flutterwave dashboard"),
    Format("Flutterwave Encryption Key", _B + r"(FLWSECK_TEST[A-Za-z0-9]{12})" + _E, _API,
           "regenerate the keys in the Flutterwave dashboard"),
    Format("Fly.io Token", r"\b((?:fo1_[\w-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|"
           r"fm2_[A-Za-z0-9+/]{100,}={0,3}))", _API,
           "revoke it with `fly tokens revoke` or in the dashboard"),
    Format("Frame.io Token", _B + r"(fio-u-[A-Za-z0-9\-_=]{64})" + _E, _API,
           "delete the token in the Frame.io developer site"),
    Format("GitHub Token",
           _B + r"((?:ghp_|gho_|ghu_|ghs_|ghr_)[A-Za-z0-9]{36}|github_pat_\w{82})" + _E,
           "it acts on repositories as its owner", "revoke it at github.com/settings/tokens"),
    Format("GitLab Token", _B + r"((?:glpat|gldt|glft|glsoat|glrt|glcbt|glimt|glptt|glagent|"
           r"gloas|glffct)-[A-Za-z0-9_\-]{20,}(?:\.[A-Za-z0-9_\-.]+)?|GR1348941[A-Za-z0-9_\-]{20}|"
           r"glrtr-[A-Za-z0-9_\-]{20,}|_gitlab_session=[a-z0-9]{32})" + _E,
           "it acts on projects as its owner",
           "revoke it in GitLab (User settings > Access tokens, or the project's settings)"),
    Format("GitLab Incoming Mail Token", _B + r"(glimt-[a-z0-9]{25})" + _E, _API,
           "reset the incoming e-mail token in GitLab's project settings"),
    Format("Grafana Token", _B + r"(eyJrIjoi[A-Za-z0-9]{70,400}={0,3}|glc_[A-Za-z0-9+/]{32,400}"
           r"={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})" + _E, _API,
           "delete the token in Grafana (Administration > Service accounts / API keys)"),
    Format("Harness API Key", _B + r"((?:pat\.|sat\.)[A-Za-z0-9_\-]{22}\.[A-Za-z0-9]{24}\."
           r"[A-Za-z0-9]{20})" + _E, _API, "delete the token in Harness (My Profile > API keys)"),
    Format("HashiCorp Terraform Token", r"(?i)\b([a-z0-9]{14}\.atlasv1\.[a-z0-9\-_=]{60,70})",
           "it manages infrastructure through Terraform Cloud",
           "revoke it at app.terraform.io/app/settings/tokens"),
    Format("HashiCorp Vault Token", _B + r"((?:hvs\.|hvb\.)[A-Za-z0-9_\-]{90,300})"
           + _E, "it reads the secrets its policies allow",
           "revoke it: vault token revoke -accessor <accessor>"),
    Format("Heroku API Key", _B + r"(HRKU-AA[0-9A-Za-z_\-]{58})" + _E, _API,
           "revoke it with `heroku authorizations:revoke` or in Account settings"),
    Format("Hugging Face Token", _B + r"((?:hf_|api_org_)[A-Za-z]{34})" + _E,
           "it reads private models and data sets and pushes to the Hub",
           "revoke it at huggingface.co/settings/tokens"),
    Format("Infracost API Token", _B + r"(ico-[A-Za-z0-9]{32})" + _E, _API,
           "rotate it with `infracost configure` or in Infracost Cloud"),
    Format("Intra42 Client Secret", _B + r"(s-s4t2(?:ud|af)-[a-f0-9]{64})" + _E, _API,
           "regenerate the secret in the 42 intranet app settings"),
    Format("JFrog Identity Token", _B + r"(AKCp[A-Za-z0-9]{69})" + _E, _API,
           "revoke it in JFrog Platform (User Profile > Identity tokens)"),
    Format("Linear API Key", _B + r"(lin_api_[A-Za-z0-9]{40})" + _E, _API,
           "revoke it in Linear (Settings > API)"),
    Format("Mailgun Key", _B + r"((?:key-|pubkey-)[a-f0-9]{32})" + _E, _API,
           "rotate it in Mailgun (API Security)"),
    Format("Mapbox Token", _B + r"((?:pk\.|sk\.)[A-Za-z0-9]{60}\.[A-Za-z0-9]{22})" + _E, _API,
           "delete the token at account.mapbox.com/access-tokens"),
    Format("MaxMind License Key", _B + r"([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)" + _E, _API,
           "generate a new key and deactivate this one at maxmind.com (Manage License Keys)"),
    Format("Microsoft Teams Webhook", r"(https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/"
           r"[\w\-]{36}@[\w\-]{36}/IncomingWebhook/[A-Za-z0-9]{20,40}/[\w\-]{36}(?:/[\w\-]+)?)",
           _POST,
           "remove the Incoming Webhook connector from the channel and add a new one"),
    Format("New Relic Key", _B + r"(NR(?:AK|JS|II)-[A-Za-z0-9]{19,32})" + _E, _API,
           "delete the key in New Relic (API keys)"),
    Format("Notion Token", _B + r"(ntn_[0-9]{11}[A-Za-z0-9]{35})" + _E, _API,
           "refresh the secret at notion.so/my-integrations"),
    Format("npm Access Token", _B + r"(npm_[A-Za-z0-9]{36})" + _E, _PUSH,
           "revoke it with `npm token revoke` or at npmjs.com (Access Tokens)"),
    Format("Octopus Deploy API Key", _B + r"(API-[A-Z0-9]{26})" + _E, _API,
           "revoke it in Octopus (Profile > My API Keys)"),
    Format("OpenAI API Key", _B + r"(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,200}"
           r"T3BlbkFJ[A-Za-z0-9_\-]{20,200})" + _E, _API + " and bills its account",
           "delete the key at platform.openai.com/api-keys"),
    Format("OpenShift User Token", _B + r"(sha256~[\w\-]{43})" + _E, _API + " on the cluster",
           "log out the session (oc logout) or delete the OAuthAccessToken"),
    Format("Perplexity API Key", _B + r"(pplx-[A-Za-z0-9]{48})" + _E, _API,
           "delete the key in Perplexity (Settings > API)"),
    Format("PlanetScale Token", _B + r"(pscale_(?:tkn|oauth|pw)_[A-Za-z0-9=\-_.]{32,64})" + _E,
           "it opens the databases", "delete the token or password in PlanetScale"),
    Format("Postman API Key", _B + r"(PMAK-[A-Fa-f0-9]{24}-[A-Fa-f0-9]{34})" + _E, _API,
           "regenerate it in Postman (Settings > API keys)"),
    Format("Prefect API Key", _B + r"(pnu_[A-Za-z0-9]{36})" + _E, _API,
           "delete the key in Prefect Cloud (Profile > API keys)"),
    Format("Pulumi Access Token", _B + r"(pul-[a-f0-9]{40})" + _E, _API,
           "delete the token in Pulumi Cloud (Personal access tokens)"),
    Format("ReadMe API Key", _B + r"(rdme_[a-z0-9]{70})" + _E, _API,
           "regenerate it in ReadMe (API Keys)"),
    Format("RubyGems API Key", _B + r"(rubygems_[a-f0-9]{48})" + _E, _PUSH,
           "delete the key at rubygems.org/profile/api_keys"),
    Format("Scalingo API Token", _B + r"(tk-us-[\w\-]{48})" + _E, _API,
           "delete the token in the Scalingo dashboard"),
    Format("Sendinblue API Key", _B + r"(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})" + _E, _API,
           "delete the key in Brevo (SMTP & API)"),
    Format("Sentry Token", _B + r"(sntrys_eyJ[A-Za-z0-9_=+/\-]{60,}={0,2}|"
           r"sntryu_[a-f0-9]{64})" + _E, _API, "revoke it in Sentry (User settings > Auth tokens)"),
    Format("SettleMint Token", _B + r"(sm_(?:pat|aat|sat)_[A-Za-z0-9]{16})" + _E, _API,
           "delete the token in SettleMint"),
    Format("Shippo API Token", _B + r"(shippo_(?:live|test)_[A-Fa-f0-9]{40})" + _E, _API,
           "regenerate it in Shippo (Settings > API)"),
    Format("Shopify Token", _B + r"(shp(?:at|ca|pa|ss)_[A-Fa-f0-9]{32})" + _E,
           "it reads and changes the shop's orders and customers",
           "uninstall and reinstall the app, or rotate the secret in the Partner dashboard"),
    Format("Slack Token", _B + r"(xox[abposre](?:-\d-)?-[A-Za-z0-9\-]{10,250}|"
           r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)" + _E,
           "it reads and posts in the workspace", "revoke it at api.slack.com/apps"),
    Format("Slack Webhook", r"((?:https|http)://hooks\.slack\.com/(?:services|workflows|triggers)/"
           r"[A-Za-z0-9+/]{40,})", _POST, "delete the webhook in the Slack app's settings"),
    Format("SourceGraph Token", _B + r"(sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|"
           r"sgp_[a-fA-F0-9]{40})" + _E, _API, "delete it in Sourcegraph (Access tokens)"),
    Format("Square Token", _B + r"((?:EAAA|sq0atp-)[\w\-]{22,60}|sq0csp-[\w\-]{43})" + _E, _API,
           "revoke it in the Square Developer dashboard"),
    Format("Stripe Key", _B + r"((?:sk_|rk_)(?:test_|live_|prod_)[A-Za-z0-9]{10,99})" + _E,
           _API + " and moves money", "roll the key in the Stripe dashboard (API keys)"),
    Format("Twilio API Key", _B + r"(SK[0-9a-fA-F]{32})" + _E, _API,
           "delete the key in the Twilio console (API keys)"),
    Format("Typeform Token", _B + r"(tfp_[A-Za-z0-9\-_.=]{59})" + _E, _API,
           "delete the token in Typeform (Personal tokens)"),
    Format("Yandex Key", _B + r"(t1\.[A-Z0-9a-z_\-]+={0,2}\.[A-Z0-9a-z_\-]{86}={0,2}|"
           r"AQVN[A-Za-z0-9_\-]{35,38})" + _E, _API,
           "delete the key in Yandex Cloud IAM"),
    Format("PyPI Upload Token", _B + r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9\-_]{50,})" + _E, _PUSH,
           "delete the token at pypi.org/manage/account/token"),
    Format("Google API Key", _B + r"(AIza[0-9A-Za-z_\-]{35})" + _E,
           "it calls Google APIs (Maps, BigQuery, Gemini) billed to the project",
           "delete or restrict the key in the Google Cloud console (APIs & Services > "
           "Credentials)"),
)


HINTS = {f.name: f"{f.why}: {f.rotate}" for f in FORMATS}
# Markers for the prefilter where a format starts with a character class, not a literal.
MARKERS = {"Azure AD Client Secret": "Q~",  # pragma: allowlist secret
           "HashiCorp Terraform Token": "atlasv1",
           "MaxMind License Key": "_mmk", "Microsoft Teams Webhook": "webhook.office.com/",
           "Slack Webhook": "hooks.slack.com/"}

