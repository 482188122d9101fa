from webapp.views import index

index()
