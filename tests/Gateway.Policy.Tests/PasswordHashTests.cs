namespace Gateway.Policy.Tests;

public sealed class PasswordHashTests
{
    private const int FastIterations = 1000;

    [Fact]
    public void Created_hash_verifies_only_the_same_password()
    {
        var encoded = PasswordHash.Create("correct horse", FastIterations);

        Assert.True(PasswordHash.Verify("correct horse", encoded));
        Assert.False(PasswordHash.Verify("correct hors", encoded));
        Assert.False(PasswordHash.Verify("Correct horse", encoded));
        Assert.False(PasswordHash.Verify(string.Empty, encoded));
    }

    [Fact]
    public void Format_is_prefix_iterations_salt_hash()
    {
        var encoded = PasswordHash.Create("pw", FastIterations);
        var parts = encoded.Split('$');

        Assert.Equal(5, parts.Length);
        Assert.Equal(string.Empty, parts[0]);
        Assert.Equal("pbkdf2-sha256", parts[1]);
        Assert.Equal("i=1000", parts[2]);
        Assert.Equal(16, Convert.FromBase64String(parts[3]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[4]).Length);
    }

    [Fact]
    public void Default_iteration_count_is_600000()
    {
        Assert.Contains("$i=600000$", PasswordHash.Create("pw"), StringComparison.Ordinal);
    }

    [Fact]
    public void Salts_differ_between_hashes_of_the_same_password()
    {
        Assert.NotEqual(PasswordHash.Create("pw", FastIterations), PasswordHash.Create("pw", FastIterations));
    }

    [Fact]
    public void Non_ascii_passwords_round_trip_as_utf8()
    {
        var encoded = PasswordHash.Create("pässwörd✓", FastIterations);

        Assert.True(PasswordHash.Verify("pässwörd✓", encoded));
        Assert.False(PasswordHash.Verify("password?", encoded));
    }

    [Fact]
    public void Known_vector_verifies()
    {
        // PBKDF2-HMAC-SHA256("password", "salt" x4 (16 octets), 1000, 32) computed independently with Python's hashlib.
        const string Encoded = "$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=";
        Assert.True(PasswordHash.Verify("password", Encoded));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$pbkdf2-sha1$i=1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=999$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=01000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=99999999$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=-1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=1000$c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=1000$not base64!$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    [InlineData("$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA==$c2hvcnQ=")]
    [InlineData("$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA==$")]
    [InlineData("$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=$extra")]
    [InlineData(" $pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA==$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA=")]
    public void Malformed_encodings_verify_false_without_throwing(string encoded)
    {
        Assert.False(PasswordHash.Verify("password", encoded));
        Assert.False(PasswordHash.IsWellFormed(encoded));
    }

    [Fact]
    public void Create_refuses_weak_or_absurd_iteration_counts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHash.Create("pw", 999));
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHash.Create("pw", 10_000_001));
    }
}
