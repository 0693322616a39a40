"""Health (doctor visits): specialties, identification, FHIR-shaped Slot and Appointment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cityservices.schemas.common import IsoTime, Latitude, Longitude, Out


class Specialty(Out):
    code: str = Field(examples=["therapist"])
    name_ru: str
    name_en: str


class IdentifiedPatient(Out):
    id: str = Field(examples=["pat-0001"])
    name_ru: str
    name_en: str
    district: str = Field(description="English name of the home district")
    district_ru: str


class Identification(Out):
    token: str = Field(description="the bearer token for the patient's calls")
    token_type: Literal["bearer"]
    expires_at: IsoTime
    patient: IdentifiedPatient


class Clinic(Out):
    id: str = Field(examples=["c03"])
    name_ru: str
    name_en: str
    district: str
    district_ru: str
    address: str
    address_ru: str
    lat: Latitude
    lon: Longitude


class Practitioner(Out):
    id: str
    name_ru: str
    name_en: str


class Slot(Out):
    resource_type: Literal["Slot"] = Field(alias="resourceType")
    id: str = Field(examples=["c03-ther-20251201-0800"])
    status: Literal["free", "busy"]
    start: IsoTime
    end: IsoTime
    specialty: str = Field(examples=["therapist"])
    clinic: Clinic
    practitioner: Practitioner


class SlotList(Out):
    slots: list[Slot] = Field(description="ordered by start")


class Reference(Out):
    reference: str = Field(examples=["Slot/c03-ther-20251201-0800"])


class PatientActor(Out):
    reference: str = Field(examples=["Patient/pat-0001"])
    display: str


class PractitionerActor(Out):
    reference: str = Field(examples=["Practitioner/p-0001"])
    display: str
    display_ru: str


class Participant(Out):
    actor: PatientActor | PractitionerActor
    status: Literal["accepted"]


class Appointment(Out):
    resource_type: Literal["Appointment"] = Field(alias="resourceType")
    id: int
    reference: str = Field(description="spoken-friendly code", examples=["A000042"])
    status: Literal["booked", "cancelled"]
    start: IsoTime
    end: IsoTime
    slot: list[Reference]
    service_type: str = Field(alias="serviceType", description="the specialty code")
    participant: list[Participant] = Field(description="the patient, then the practitioner")
    practitioner: Practitioner
    clinic: Clinic
    created: IsoTime


class RescheduledAppointment(Appointment):
    replaces: Reference = Field(description="the old appointment, now cancelled")


class AppointmentList(Out):
    appointments: list[Appointment] = Field(description="upcoming and booked, by start")
