namespace Gateway.Smtp.Server.Listeners;

internal enum ConnectionAdmission
{
    Admitted,
    TotalLimit,
    PerClientLimit,
}
