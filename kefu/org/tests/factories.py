import factory

from kefu.org.models import Centre, Department, Shop, Team, User, UserRole


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ("name",)

    name = "测试中心"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = Department.Kind.SERVICE


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    centre = factory.SubFactory(CentreFactory)
    code = factory.Sequence(lambda n: f"shop{n}")
    name = factory.Sequence(lambda n: f"店铺{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"班组{n}")

    @factory.post_generation
    def shops(self, create, extracted, **kwargs):
        if create and extracted:
            self.shops.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.django.Password("pw-test-2026")
    team = None
    department = factory.LazyAttribute(lambda o: o.team.department if o.team else None)
    centre = factory.LazyAttribute(lambda o: o.department.centre if o.department else None)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            UserRole.objects.bulk_create([UserRole(user=self, role=r) for r in extracted])
