namespace Gateway.Spam.Scanning;

/// <summary>
/// Ways a link hides where it leads: a user name before the host ("http://bank.example@203.0.113.9/"), a port a web
/// server does not normally use, another URL in its path or query (a redirector passing the reader on). Each is rare
/// in legitimate mail and does not change with the campaign.
/// </summary>
[Flags]
internal enum LinkDisguise
{
    None = 0,
    UserInfo = 1,
    Port = 2,
    Redirect = 4,
}
