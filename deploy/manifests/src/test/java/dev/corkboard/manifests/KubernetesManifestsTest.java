package dev.corkboard.manifests;

import static dev.corkboard.manifests.SystemdUnitsTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesManifestsTest {

    private final KubernetesManifests manifests = KubernetesManifests.load(Checkout.root());
    private final KubernetesReferences references = new KubernetesReferences(manifests);

    @Test
    void everyManifestParsesAndTheKustomizationListsThemAll() {
        assertEquals(List.of("Namespace", "ConfigMap", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
                "Deployment", "DaemonSet"), manifests.documents.stream()
                        .sorted(Comparator.comparing(KubernetesManifestsTest::order))
                        .map(KubernetesManifests.Document::kind).toList());
        assertEquals(List.of(), manifests.structureProblems());
    }

    @Test
    void everyComponentRunsFromItsImageInTheWorkloadItNeeds() {
        assertEquals(List.of(), manifests.workloadProblems());
    }

    @Test
    void selectorsMatchTheirWorkloadsPods() {
        assertEquals(List.of(), references.selectorProblems());
    }

    @Test
    void servicesAndProbesUseDeclaredPorts() {
        assertEquals(List.of(), references.portProblems());
    }

    @Test
    void theConfigMapsSecretsVolumesAndFilesContainersNameExist() {
        assertEquals(List.of(), references.configProblems());
    }

    @Test
    void everyVariableIsASettingOfTheComponentThatGetsIt() {
        assertEquals(List.of(), manifests.settingProblems());
    }

    @Test
    void aSharedVariableTheConsumersDoNotReadIsReportedForEach(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, KubernetesManifests.DIR + "/etcd.yaml", "CORKBOARD_ETCD_ENDPOINTS:",
                "CORKBOARD_ETCD_URLS:");

        List<String> problems = KubernetesManifests.load(copy).settingProblems();
        assertContains(problems, "bbs.yaml corkboard-bbs/bbs-server (ConfigMap corkboard-etcd): CORKBOARD_ETCD_URLS"
                + " is no setting of bbs-server");
        assertContains(problems, "converger.yaml corkboard-converger/converger (ConfigMap corkboard-etcd):"
                + " CORKBOARD_ETCD_URLS is no setting of converger");
    }

    @Test
    void anEtcdSettingGivenToTheExecutorIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, KubernetesManifests.DIR + "/executor.yaml", "- name: CORKBOARD_BBS\n",
                "- name: CORKBOARD_ETCD_ENDPOINTS\n");

        assertContains(KubernetesManifests.load(copy).settingProblems(), "executor.yaml"
                + " corkboard-executor/executor-agent: CORKBOARD_ETCD_ENDPOINTS is no setting of executor-agent");
    }

    @Test
    void aProbeOnAnUndeclaredPortIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, KubernetesManifests.DIR + "/converger.yaml", "            - name: metrics\n",
                "            - name: prometheus\n");

        assertContains(new KubernetesReferences(KubernetesManifests.load(copy)).portProblems(),
                "converger.yaml corkboard-converger/converger: readinessProbe port metrics is not declared");
    }

    @Test
    void aServiceSelectingNoPodsIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, KubernetesManifests.DIR + "/bbs.yaml", "spec:\n  selector:\n"
                + "    app.kubernetes.io/name: corkboard-bbs\n", "spec:\n  selector:\n"
                + "    app.kubernetes.io/name: corkboard-bbs-server\n");

        assertContains(new KubernetesReferences(KubernetesManifests.load(copy)).selectorProblems(),
                "bbs.yaml Service corkboard-bbs: selects no workload's pods");
    }

    @Test
    void aFileTheMountedSecretLacksIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, KubernetesManifests.DIR + "/bbs.yaml", "/etc/corkboard/tls/ca.crt",
                "/etc/corkboard/tls/client-ca.crt");

        assertContains(new KubernetesReferences(KubernetesManifests.load(copy)).configProblems(),
                "bbs.yaml corkboard-bbs/bbs-server: CORKBOARD_TLS_CLIENT_CA names /etc/corkboard/tls/client-ca.crt,"
                        + " which is no key of volume tls [ca.crt, tls.crt, tls.key]");
    }

    @Test
    void aManifestThatDoesNotParseIsReported(@TempDir Path copy) {
        Checkout.copyTo(copy);
        Checkout.edit(copy, KubernetesManifests.DIR + "/common.yaml", "data:\n", "data: [\n");

        List<String> problems = KubernetesManifests.load(copy).structureProblems();
        assertEquals(1, problems.stream().filter(problem -> problem.startsWith("common.yaml: does not parse"))
                .count(), () -> String.join("\n", problems));
    }

    /** Documents in the kustomization's order of files, then in file order. */
    private static int order(KubernetesManifests.Document document) {
        return List.of("namespace.yaml", "etcd.yaml", "common.yaml", "bbs.yaml", "converger.yaml", "executor.yaml")
                .indexOf(document.file());
    }
}
