/**
 * `ozone version` as Apache Ozone prints it (hadoop-ozone/common …/util/OzoneVersionInfo.java `main`, then
 * HddsVersionInfo): the ASCII logo whose last line carries `<version>(<release name>)`, then the build lines.
 * Scripts — scmctl's release probe among them — read the version from that logo line. The embedded SCM adds
 * one line of its own after Ozone's (`With scmctl embedded SCM: HDDS layout version N; node vX`), which a real
 * release does not print.
 */
const LOGO = [
  '                  //////////////                 ',
  '               ////////////////////              ',
  '            ////////     ////////////////        ',
  '           //////      ////////////////          ',
  '          /////      ////////////////  /         ',
  '         /////            ////////   ///         ',
  '         ////           ////////    /////        ',
  '        /////         ////////////////           ',
  '        /////       ////////////////   //        ',
  '         ////     ///////////////   /////        ',
  '         /////  ///////////////     ////         ',
  '          /////       //////      /////          ',
  '           //////   //////       /////           ',
  '             ///////////     ////////            ',
  '               //////  ////////////              ',
  '               ///   //////////                  ',
];

export interface BannerInput {
  readonly version: string;
  readonly release: string;
  readonly layoutVersion: number;
  readonly nodeVersion: string;
  readonly platform: string;
}

export function versionBanner(b: BannerInput): string[] {
  return [
    ...LOGO,
    `              /    ${b.version}(${b.release})`,
    '',
    `Source code repository https://github.com/apache/ozone.git -r unknown`,
    'Compiled with protoc none, none and none',
    'From source with checksum unknown',
    'With Apache Ratis: none (scmctl Raft)',
    `Compiled on platform ${b.platform}`,
    '',
    `Using HDDS ${b.version}`,
    `Source code repository https://github.com/apache/ozone.git -r unknown`,
    `With scmctl embedded SCM: HDDS layout version ${b.layoutVersion}; node ${b.nodeVersion}`,
  ];
}
