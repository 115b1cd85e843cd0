namespace Gateway.Host.Control;

/// <summary>The token PIN kept in a file rather than on the command line or in the environment, where `ps` and /proc show it.</summary>
internal static class Pkcs11PinFile
{
    // A PIN is short; a larger file is the wrong file, and it is never read whole into memory.
    private const int MaxLength = 256;

    public static string Read(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[MaxLength + 1];
        var length = reader.ReadBlock(buffer, 0, buffer.Length);
        if (length > MaxLength)
        {
            throw new IOException($"the PIN file '{path}' is longer than {MaxLength} characters");
        }

        var pin = new string(buffer, 0, length).TrimEnd('\r', '\n');
        Array.Clear(buffer);
        if (pin.Length == 0)
        {
            throw new IOException($"the PIN file '{path}' is empty");
        }

        return pin;
    }
}
