import hashlib

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from pracha.core.models import PublicKeyed, TimeStamped


class UserManager(BaseUserManager["User"]):
    # Migrations must never import app code; they get a plain manager instead.
    use_in_migrations = False

    def create_user(
        self, national_id: str, email: str = "", password: str | None = None, **extra: object
    ) -> "User":
        user = self.model(national_id=national_id, email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, national_id: str, email: str = "", password: str | None = None, **extra: object
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(national_id, email, password, **extra)


class AssuranceLevel(models.TextChoices):
    SELF_ASSERTED = "self_asserted", _("Self-asserted")
    VERIFIED = "verified", _("Verified against the population register")


class User(PublicKeyed, AbstractBaseUser, PermissionsMixin):
    """A person: citizens sign in with their national ID number. Officers are people with memberships."""

    national_id = models.CharField(_("national ID number"), max_length=13, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    first_name_th = models.CharField(_("first name in Thai"), max_length=100, blank=True)
    last_name_th = models.CharField(_("last name in Thai"), max_length=100, blank=True)
    first_name_en = models.CharField(_("first name in English"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name in English"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    assurance_level = models.CharField(
        _("identity assurance level"),
        max_length=20,
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.SELF_ASSERTED,
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("administrator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "national_id"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name or self.national_id

    @property
    def full_name(self) -> str:
        if translation.get_language() == "en" and self.first_name_en:
            return f"{self.first_name_en} {self.last_name_en}".strip()
        return f"{self.first_name_th} {self.last_name_th}".strip()

    @property
    def audit_label(self) -> str:
        """How the audit log names this person, whatever the language of the request."""
        return f"{self.first_name_th} {self.last_name_th}".strip() or self.national_id

    @property
    def is_verified(self) -> bool:
        return self.assurance_level == AssuranceLevel.VERIFIED


class Business(PublicKeyed, TimeStamped):
    """A juristic person. People act for it through authorisations."""

    juristic_number = models.CharField(_("juristic person number"), max_length=13, unique=True)
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th


class BusinessAuthorisation(TimeStamped):
    """A person may act for a business: directors by the juristic register, others by grant."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("Authorised director")
        DELEGATE = "delegate", _("Delegate")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="authorisations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="business_authorisations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "user"], name="unique_business_authorisation")
        ]
        verbose_name = _("business authorisation")
        verbose_name_plural = _("business authorisations")

    def __str__(self) -> str:
        return f"{self.user_id} for {self.business_id}"


class ApiToken(PublicKeyed, TimeStamped):
    """A bearer token for the API: a person's own, or an agency system's. Only a hash is stored."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    # Who created it: the owner of a personal token; for an agency system's token, the officer accountable
    # for it, recorded as the actor of its requests. It does not act as that officer (see api_auth).
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # Set for an agency system's token. Its requests are recorded "on behalf of" agency:<code> (set by
    # ActingForMiddleware); it works until revoked, whether or not its creator is still in the agency.
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
