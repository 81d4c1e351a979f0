"""The pages of service orders: the resident's (:mod:`.public`) and the staff's (:mod:`.staff`)."""
