from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from pracha.api import api

# The admin signs in through allauth too, so its lockout and officers' two-step sign-in apply there.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    # documents/... (the holder's wallet, the officers' desk) and verify/... (the public check).
    path("", include("pracha.documents.urls")),
    path("", include("pracha.portal.urls")),
    # inbox/... (the in-app messages) and account/notifications/... (the person's choices and contacts).
    path("", include("pracha.notifications.urls")),
    path("agencies/", include("pracha.agencies.urls")),
    path("services/", include("pracha.catalogue.urls")),
    path("applications/", include("pracha.applications.urls")),
    path("payments/", include("pracha.payments.urls")),
    path("backoffice/", include("pracha.backoffice.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("pracha.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Friendly error pages in the person's language (pracha/templates/{400,403,404,500}.html).
handler400 = "pracha.portal.views.bad_request"
handler403 = "pracha.portal.views.permission_denied"
handler404 = "pracha.portal.views.page_not_found"
handler500 = "pracha.portal.views.server_error"
