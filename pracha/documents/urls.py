from django.urls import path

from pracha.documents import views

app_name = "documents"

# Mounted at the site's root: the holder's pages under documents/, the public verification under verify/
# (the address printed in every document's QR code).
urlpatterns = [
    # The holder: my documents, one document, its PDFs and its share links.
    path("documents/", views.wallet, name="wallet"),
    # The officers' desk, before <uuid>/ so "manage" is never read as a document.
    path("documents/manage/", views.manage, name="manage"),
    path("documents/manage/<uuid:public_id>/", views.manage_document, name="manage_document"),
    # What a share link opens, for anyone who has it.
    path("documents/shared/<str:token>/", views.shared, name="shared"),
    path("documents/shared/<str:token>/<str:language>.pdf", views.shared_download, name="shared_download"),
    path("documents/<uuid:public_id>/", views.detail, name="detail"),
    path("documents/<uuid:public_id>/<str:language>.pdf", views.download, name="download"),
    path("documents/<uuid:public_id>/share/", views.share_create, name="share_create"),
    path("documents/<uuid:public_id>/share/<uuid:share>/revoke/", views.share_revoke, name="share_revoke"),
    # Anyone: check a document by number, by its PDF, or by the link of its QR code.
    path("verify/", views.verify, name="verify"),
    path("verify/<uuid:public_id>/", views.verify_document, name="verify_document"),
    path("verify/<uuid:public_id>/document.jws", views.verify_json, name="verify_json"),
]
