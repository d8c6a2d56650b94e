"""The service catalog and evaluation indicators, loaded from ``catalog/`` (codes are the keys)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

service_type_groups = Table(
    "service_type_groups",
    db.metadata,
    Column("service_code", ForeignKey("service_types.code"), primary_key=True),
    Column("group_code", ForeignKey("beneficiary_groups.code"), primary_key=True),
)


class BeneficiaryGroup(db.Model):
    __tablename__ = "beneficiary_groups"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class IndicatorSet(db.Model):
    __tablename__ = "indicator_sets"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="indicator_set", order_by="Indicator.position"
    )


class Indicator(db.Model):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("set_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_code: Mapped[str] = mapped_column(ForeignKey("indicator_sets.code"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]
    max_score: Mapped[int]

    indicator_set: Mapped[IndicatorSet] = relationship(back_populates="indicators")


class ServiceArea(db.Model):
    __tablename__ = "service_areas"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    indicator_set_code: Mapped[str] = mapped_column(ForeignKey("indicator_sets.code"))

    indicator_set: Mapped[IndicatorSet] = relationship()


class ServiceType(db.Model):
    __tablename__ = "service_types"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    unit_zh: Mapped[str] = mapped_column(String(20))
    unit_en: Mapped[str] = mapped_column(String(40))
    typical_unit_cost_fen: Mapped[int]

    area: Mapped[ServiceArea] = relationship()
    groups: Mapped[list[BeneficiaryGroup]] = relationship(secondary=service_type_groups)
