def page(request, slug):
    raise NotImplementedError
