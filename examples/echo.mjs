// Returns the event it was given, as a JSON echo.
export const handler = async (event) => event
