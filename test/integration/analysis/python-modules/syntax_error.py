class Broken:
    def process_event(self, event:
        pass
