"""Forms of the public Love Bali site. Labels and errors are in the visitor's language."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from spbe.levy import countries
from spbe.levy.models import Endpoint, Payment
from spbe.levy.policy import APPLY_ONLINE, ExemptionCategory


class DateInput(forms.DateInput):
    input_type = "date"


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and the invalid state on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            widget.attrs["class"] = css


class NationalityField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=(), label=_("Nationality (as in the passport)"), **kwargs)

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        field.choices = [("", "—")] + countries.choices(get_language() or "en")  # per request language
        return field


class OrderForm(StyledForm):
    email = forms.EmailField(label=_("Email for the vouchers"), max_length=254)


class TravellerForm(StyledForm):
    full_name = forms.CharField(label=_("Full name (as in the passport)"), max_length=100)
    nationality = NationalityField()
    passport = forms.CharField(label=_("Passport number"), max_length=20)
    arrival_date = forms.DateField(label=_("Arrival date in Bali"), widget=DateInput)


TravellerFormSet = forms.formset_factory(TravellerForm, extra=0, min_num=1, validate_min=True, max_num=20, validate_max=True)


class MethodForm(StyledForm):
    method = forms.ChoiceField(choices=Payment.Method.choices, widget=forms.RadioSelect, label=_("Payment method"))


class FindForm(StyledForm):
    code = forms.CharField(label=_("Order code (LB…)"), max_length=16)
    email = forms.EmailField(label=_("Email used for the order"))


class VerifyForm(StyledForm):
    code = forms.CharField(label=_("Voucher code or 8-character reference"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class EndpointCheckForm(StyledForm):
    q = forms.CharField(label=_("Business name, website or endpoint code"), max_length=200, min_length=3)


class ExemptionForm(StyledForm):
    category = forms.ChoiceField(label=_("Visa or permit"), choices=[(c.value, c.label) for c in ExemptionCategory if c in APPLY_ONLINE])
    full_name = forms.CharField(label=_("Full name (as in the passport)"), max_length=100)
    nationality = NationalityField()
    passport = forms.CharField(label=_("Passport number"), max_length=20)
    email = forms.EmailField(label=_("Email"))
    arrival_date = forms.DateField(label=_("Arrival date in Bali"), widget=DateInput)
    departure_date = forms.DateField(label=_("Departure date"), widget=DateInput)
    reason = forms.CharField(label=_("Why you are exempt"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    documents = forms.FileField(label=_("Passport and visa (PDF, JPEG or PNG, up to 5 files of 5 MB)"),
                                widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True, "accept": ".pdf,.jpg,.jpeg,.png"}), required=False)


class EndpointRegistrationForm(StyledForm):
    name = forms.CharField(label=_("Business name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal entity name"), max_length=200)
    nib = forms.CharField(label=_("Business registration number (NIB, 13 digits)"), max_length=13, min_length=13)
    kind = forms.ChoiceField(label=_("Kind of business"), choices=Endpoint.Kind.choices)
    address = forms.CharField(label=_("Address"), max_length=300)
    website = forms.CharField(label=_("Website (optional)"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact email"))
