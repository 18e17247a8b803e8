import { useState } from 'react';

/**
 * A form's text fields: their values, the errors shown under them (the form's own checks, or the API's 400 by field),
 * and `bind(key)`, the value, onChange and error a Mantine input takes.
 */
export function useFormFields<F extends Record<string, string>>(initial: F) {
  const [form, setForm] = useState<F>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const bind = (key: keyof F & string) => ({
    value: form[key],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
    error: errors[key],
  });
  return { form, setForm, errors, setErrors, bind };
}
