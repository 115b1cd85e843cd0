namespace Gateway.Policy.Tests;

public sealed class CredentialsFileTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Hash(string password) => PasswordHash.Create(password, 1000);

    [Fact]
    public async Task Loads_users_and_verifies_passwords()
    {
        var path = _files.Write("users", $"# gateway users\n\nalice:{Hash("a-secret")}\r\n  # indented comment\nbob@example.test:{Hash("b-secret")}\n");

        var (file, errors) = CredentialsFile.Load(path);

        Assert.Empty(errors);
        Assert.NotNull(file);
        Assert.Equal(2, file.Count);
        Assert.Equal(path, file.Path);
        Assert.True(await file.VerifyAsync("alice", "a-secret", CancellationToken.None));
        Assert.True(await file.VerifyAsync("bob@example.test", "b-secret", CancellationToken.None));
        Assert.False(await file.VerifyAsync("alice", "b-secret", CancellationToken.None));
        Assert.False(await file.VerifyAsync("Alice", "a-secret", CancellationToken.None));
        Assert.False(await file.VerifyAsync("mallory", "a-secret", CancellationToken.None));
        Assert.False(await file.VerifyAsync(string.Empty, string.Empty, CancellationToken.None));
    }

    [Fact]
    public async Task Empty_file_has_no_users_and_refuses_everyone()
    {
        var (file, errors) = CredentialsFile.Load(_files.Write("users", "# nobody yet\n"));

        Assert.Empty(errors);
        Assert.Equal(0, file!.Count);
        Assert.False(await file.VerifyAsync("alice", "x", CancellationToken.None));
    }

    [Fact]
    public async Task Verification_honours_cancellation()
    {
        var (file, _) = CredentialsFile.Load(_files.Write("users", $"alice:{Hash("pw")}\n"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await file!.VerifyAsync("alice", "pw", cancelled.Token));
    }

    [Fact]
    public void Every_bad_line_is_reported_with_its_position()
    {
        var good = Hash("pw");
        var path = _files.Write("users", string.Join('\n',
            $"alice:{good}",
            "no-colon-here",
            $":{good}",
            $"bad user:{good}",
            "carol:$pbkdf2-sha256$i=1000$bad",
            $"alice:{good}",
            "dave:plaintext-password") + "\n");

        var (file, errors) = CredentialsFile.Load(path);

        Assert.Null(file);
        Assert.Equal(
            [
                "2:1: expected 'user:hash'",
                "3:1: user name must be non-empty, without blanks or control characters",
                "4:1: user name must be non-empty, without blanks or control characters",
                "5:7: malformed password hash",
                "6:1: user 'alice' is already defined on line 1",
                "7:6: malformed password hash",
            ],
            errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}".Split(';')[0]));
        Assert.All(errors, e => Assert.Equal(path, e.File));
    }

    [Fact]
    public void Password_text_never_appears_in_errors()
    {
        var (_, errors) = CredentialsFile.Load(_files.Write("users", "dave:hunter2\n"));

        Assert.DoesNotContain("hunter2", Assert.Single(errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_an_error_at_1_1()
    {
        var (file, errors) = CredentialsFile.Load(_files.PathOf("absent"));

        Assert.Null(file);
        Assert.Equal($"{_files.PathOf("absent")}:1:1: credentials file not found", Assert.Single(errors).ToString());
    }

    [Fact]
    public void Invalid_utf8_is_an_error()
    {
        File.WriteAllBytes(_files.PathOf("users"), [0xC3, 0x28, (byte)':', (byte)'x']);

        var (_, errors) = CredentialsFile.Load(_files.PathOf("users"));

        Assert.Equal("credentials file is not valid UTF-8", Assert.Single(errors).Message);
    }
}
