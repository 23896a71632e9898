"""Orders for the repair tests: an intake by the service, repaired and handed back at a moment."""
import datetime as dt

import time_machine

from qualirepar.repairs import services
from qualirepar.repairs.models import RepairOrder


def intake(**overrides):
    data = dict(last_name="Martin", first_name="Léa", street="1 rue de la Paix", postcode="69003", city="Lyon",
                phone="06 12 34 56 78", email="lea@exemple.fr", service_requested="Réparation", fault_description="Ne chauffe plus",
                serial_number="SN-12AB345", brand_name="SEB")
    data.update(overrides)
    return services.create_intake(services.IntakeData(**data))


def repair_and_hand_back(order: RepairOrder, when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        for action in ("start_diagnosis", "start_repair", "finish", "hand_back"):
            services.transition(order, action)
