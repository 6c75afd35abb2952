from ninja import Router

router = Router()
me_router = Router()
