from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the portal's services write (decisions, timelines, the trail): the
    admin can look, never add, change or delete."""

    def get_readonly_fields(self, request, obj=None):
        # A subclass that hides a field (say a stored file) names what it shows.
        return self.readonly_fields or [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
