using NUnit.Framework.Interfaces;

namespace ModelZoo.Tests;

/// <summary>
/// Puts torch's intra-op thread count back after each test of the class: training code under test sets it from
/// <c>--threads</c> / <c>TrainingOptions.Threads</c>, and a changed count would slow or change every later test.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RestoresTorchThreadsAttribute : Attribute, ITestAction
{
    private readonly AsyncLocal<int> _threads = new();

    /// <inheritdoc />
    public ActionTargets Targets => ActionTargets.Test;

    /// <inheritdoc />
    public void BeforeTest(ITest test) => _threads.Value = TorchSharp.torch.get_num_threads();

    /// <inheritdoc />
    public void AfterTest(ITest test) => TorchSharp.torch.set_num_threads(_threads.Value);
}
