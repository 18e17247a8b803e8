using Xunit.v3;

namespace FlowLens.Api.Tests;

/// <summary>
/// A test class that takes long (FlowLens as a process, the AWS emulators, whole ingestion runs, publish): the trait
/// Category=Slow, which `deploy/local/test.sh --fast` leaves out with `--filter "Category!=Slow"`.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class SlowAttribute : Attribute, ITraitAttribute
{
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new("Category", "Slow")];
}
