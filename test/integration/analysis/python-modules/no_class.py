class Other:
    def process_event(self, event):
        return None
