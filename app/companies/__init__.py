"""The employer register: companies, their tags, owner and letter of intent."""
