"""Work that moves records across features: merging two companies (their contacts,
activities and assignments go to the kept one) and handing companies over to another
broker. It sits above the features it moves, which know nothing of it."""
